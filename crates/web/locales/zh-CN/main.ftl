# minzheng 界面文字(简体中文,默认语言)。英文版在 ../en/main.ftl,两者的消息编号必须一一对应。

app-name = 民政综合业务系统
nav-label = 业务导航
nav-home = 首页
nav-divisions = 行政区划
footer = minzheng 民政综合业务系统 · 内网部署,无需外网

home-title = 工作台
home-intro = 本系统在一个程序中办理区民政局各项业务,资金精确到分、全程留痕,工作总结中的各项数字由业务记录直接生成。
home-status = 系统概况
home-engine = 数据库
home-divisions = 行政区划数
home-calendar = 节假日安排已覆盖年份

divisions-none = 暂无下级区划。
divisions-path = 区划路径
divisions-export = 导出本区划及下级(CSV)
divisions-children = 下级区划
divisions-children-count = 下级数

level-county = 区(县)
level-street = 街道
level-town = 镇(乡)
level-community = 社区
level-village = 村
level-other = 其他
area-urban = 城市
area-rural = 农村

field-file = 文件
field-header = 表头
field-code = 区划代码
field-name = 名称
field-level = 层级
field-area = 城乡类型
field-username = 用户名
field-display_name = 姓名
field-password = 密码
field-role = 角色
field-jurisdiction = 管辖范围
field-error = { $field }:{ $reason }
field-error-row = 第 { $row } 行,{ $field }:{ $reason }

error-invalid = 提交的内容有误,未做任何修改
error-not-found = 未找到该页面或记录
error-internal = 系统内部错误,已记录日志,请联系管理员
error-account-username-taken = 用户名已被使用

err-unknown = 不符合规则 { $code }({ $detail })
err-import-encoding = 文件编码无法识别,请保存为 UTF-8 或 GBK
err-import-header = 表头缺少必需的列(需要 code/区划代码 和 name/名称):{ $detail }
err-import-malformed_row = 该行格式错误:{ $detail }
err-import-too_many_rows = 文件行数超过上限 { $detail } 行
err-division-name_empty = 名称不能为空
err-division-name_too_long = 名称不能超过 { $detail } 个字
err-division-area_unknown = 城乡类型“{ $detail }”无法识别,应为 urban/城市 或 rural/农村
err-division-duplicate = 区划代码重复:{ $detail }
err-division-parent_missing = 上级区划不存在(既不在文件中也未录入系统):{ $detail }
err-account-username_format = 用户名“{ $detail }”不合规:只能用 3–32 位小写字母、数字、下划线、点或短横线
err-account-display_name = 姓名不能为空且不超过 50 个字
err-account-password_short = 密码至少 { $detail } 个字符
err-account-password_long = 密码不能超过 { $detail } 个字符
err-account-password_is_username = 密码不能与用户名相同
err-account-password_hash = 密码无法加密保存:{ $detail }
err-account-jurisdiction_unknown = 管辖区划 { $detail } 不存在
err-account-jurisdiction_level = 角色与管辖区划层级不符:{ $detail }(区级角色管辖全区,街道干部管辖街道或镇,社区工作者管辖社区或村)
err-account-username_taken = 用户名“{ $detail }”已被使用
err-role-unknown = 角色“{ $detail }”不存在
err-division-wrong_length = 区划代码位数不对,应为 12 位数字(区县一级也可填 6 位)
err-division-invalid_char = 区划代码只能填数字,不能有字母、空格或其他符号
err-division-zero_county = 区划代码前 6 位(区县代码)不能全是 0
err-division-village_without_township = 区划代码填了社区(村)一级,但第 7–9 位街道(乡镇)部分是 000,对不上所属街道乡镇
err-division-unknown_area = 城乡类型无法识别,应为 urban/城市 或 rural/农村

err-resident_id-wrong_length = 身份证号位数不对,应为 18 位
err-resident_id-invalid_char = 身份证号只能是数字,最后一位可以是 X
err-resident_id-invalid_birth_date = 身份证号中的出生日期(第 7–14 位)不是有效日期
err-resident_id-birth_year_out_of_range = 身份证号中的出生年份不对,请核对
err-resident_id-check_char_mismatch = 身份证号校验位对不上,请核对是否录错
err-resident_id-sequence_out_of_range = 身份证号中的顺序码不对,请核对
err-resident_id-born_after = 身份证号中的出生日期晚于今天,请核对

err-credit_code-wrong_length = 统一社会信用代码位数不对,应为 18 位
err-credit_code-excluded_letter = 统一社会信用代码不用字母 I、O、Z、S、V,请检查是否把数字 1、0、2、5 录成了字母
err-credit_code-invalid_char = 统一社会信用代码只能是数字和大写字母
err-credit_code-non_digit_division = 统一社会信用代码第 3–8 位(登记机关所在地代码)应为数字
err-credit_code-check_char_mismatch = 统一社会信用代码校验位对不上,请核对是否录错
err-credit_code-org_check_mismatch = 统一社会信用代码中的组织机构代码(第 9–17 位)校验不通过,请核对是否录错

err-money-empty = 金额不能为空
err-money-sign_only = 金额只有正负号,没有数字
err-money-unexpected_char = 金额只能填数字、小数点和千位分隔符
err-money-missing_integer_digits = 小数点前要有整数,如 0.50 不能写成 .50
err-money-missing_decimals = 小数点后缺少数字
err-money-too_many_decimals = 金额精确到分即可,小数点后最多两位
err-money-bad_grouping = 千位分隔符位置不对,应写成 1,234.50 这样
err-money-separator_in_decimals = 小数部分不能有分隔符
err-money-overflow = 金额过大,超出系统能记录的范围

err-month-empty = 月份不能为空
err-month-unexpected_char = 月份格式不对,应写成 2013-07 或 2013年7月
err-month-unexpected_end = 月份没填完整,应写成 2013-07 或 2013年7月
err-month-year_out_of_range = 月份中的年份超出范围
err-month-month_out_of_range = 月份应在 1 到 12 之间

err-date-empty = 日期不能为空
err-date-unexpected_char = 日期格式不对,应写成 2013-07-01 或 2013年7月1日
err-date-unexpected_end = 日期没填完整,应写成 2013-07-01 或 2013年7月1日
err-date-year_out_of_range = 日期中的年份超出范围(1–9999)
err-date-month_out_of_range = 日期中的月份应在 1 到 12 之间
err-date-day_out_of_range = 该月没有这一天

err-calendar-year_not_covered = 节假日安排还没有录入这一年,请先导入国务院公布的当年放假安排({ $detail })
err-calendar-too_many_working_days = 工作日天数超过上限({ $detail })
err-calendar-end_before_start = 结束日期早于开始日期({ $detail })
err-calendar-covered_year_out_of_range = 年份超出范围(1–9999)({ $detail })
err-calendar-duplicate_date = 同一日期出现了两次({ $detail })
err-calendar-entry_not_covered = 该日期不在本次导入的年份内({ $detail })
err-calendar-workday_on_weekday = 调休上班日只能是周六或周日({ $detail })
err-calendar-empty_name = 节假日名称不能为空({ $detail })
err-calendar-name_too_long = 节假日名称太长({ $detail })
err-calendar-csv_header = 文件第 1 行应为表头 date,kind,name
err-calendar-csv_field_count = 每行应有 3 列:日期、类型、名称({ $detail })
err-calendar-csv_date = 日期格式不对,应写成 2013-07-01({ $detail })
err-calendar-csv_kind = 类型应为 holiday(放假)或 workday(调休上班)({ $detail })

# 收款账户、代发文件与回盘文件(domain::bank)
err-bank_account-empty = 账号不能为空
err-bank_account-invalid_char = 账号只能由数字组成(空格会自动去掉)({ $detail })
err-bank_account-wrong_length = 账号位数不对:银行卡为 16–19 位,存折或对公账户为 8–32 位({ $detail })
err-bank_account-luhn_mismatch = 银行卡号校验位对不上,请核对是否录错;存折或对公账户请选择“存折/对公”
err-bank_account-holder_empty = 户名不能为空
err-bank_account-bank_empty = 开户行不能为空
err-bank_account-name_too_long = 户名或开户行名称太长({ $detail })
err-bank_account-name_invalid_char = 户名或开户行名称含有不允许的字符({ $detail })
err-bank_account-bank_code = 开户行行号应为 12 位数字({ $detail })
err-bank_batch-empty = 本批次没有待发放的款项
err-bank_batch-too_many_lines = 本批次笔数超过上限({ $detail })
err-bank_batch-message_id = 批次号只能用字母、数字和 - . / : ( ) ? , ' + 空格,最多 35 个字符({ $detail })
err-bank_batch-key_empty = 款项缺少台账编号({ $detail })
err-bank_batch-key_invalid = 台账编号太长或含有控制字符({ $detail })
err-bank_batch-duplicate_key = 同一台账编号在批次中出现了两次({ $detail })
err-bank_batch-duplicate_end_to_end_id = 两笔款项的端到端标识相同({ $detail })
err-bank_batch-amount_not_positive = 发放金额必须大于零({ $detail })
err-bank_batch-text_too_long = 用途或备注太长({ $detail })
err-bank_batch-text_invalid_char = 用途或备注含有不允许的字符({ $detail })
err-bank_batch-total_too_large = 批次总金额超出银行文件能表示的范围
err-bank_template-no_columns = 代发文件模板没有任何列
err-bank_template-sheet_name = 工作表名称不合规:不能为空、超过 31 个字符或含有 [ ] : * ? / \ ({ $detail })
err-bank_template-not_encodable = 该字符无法用 GBK 编码,请改用 UTF-8 文件或与银行核对户名写法({ $detail })
err-bank_template-xlsx = Excel 文件生成失败({ $detail })
err-bank_return-unreadable = 回盘文件无法读取({ $detail })
err-bank_return-encoding = 回盘文件编码无法识别,请存为 UTF-8 或 GBK
err-bank_return-malformed_row = 回盘文件的行格式错误({ $detail })
err-bank_return-no_header = 回盘文件没有表头行
err-bank_return-column_missing = 回盘文件表头缺少必需的列:流水号、金额、状态({ $detail })
err-bank_return-too_many_rows = 回盘文件行数超过上限({ $detail })
err-bank_return-too_many_errors = 错误过多,只列出前 { $detail } 条
err-bank_return-key_empty = 流水号为空
err-bank_return-duplicate_key = 流水号重复({ $detail })
err-bank_return-bad_account = 账号只能是数字({ $detail })
err-bank_return-bad_amount = 金额格式不对({ $detail })
err-bank_return-bad_status = 状态应为“成功”或“失败”({ $detail })

nav-accounts = 账号管理
nav-audit = 操作日志
nav-sign-out = 退出登录

role-admin = 系统管理员
role-assistance-staff = 救助科
role-veterans-staff = 优抚科
role-organizations-staff = 社会组织管理局
role-housing-staff = 公租房审核
role-marriage-staff = 婚姻登记处
role-funeral-staff = 殡葬管理
role-places-staff = 区划地名科
role-street-officer = 街道/镇民政干部
role-community-worker = 社区/村工作人员
role-leader = 局领导
role-auditor = 审计

login-title = 登录
login-submit = 登录
login-wrong = 用户名或密码不正确,连续输错 { $tries } 次账号将被锁定 { $minutes } 分钟
login-disabled = 该账号已停用,请联系系统管理员
login-throttled = 本机登录失败次数过多,请 15 分钟后再试
login-expired = 登录页面已过期,请重新输入

password-title = 修改密码
password-forced = 首次登录或密码已被重置,请先设置自己的新密码。
password-rule = (至少 10 个字符,不能与用户名相同)
password-new = 新密码
password-submit = 保存新密码
field-old_password = 当前密码
field-repeat_password = 再次输入新密码
field-form = 表单
field-token_name = 令牌名称

account-title = 我的账号
account-password-changed = 密码已修改,其他设备上的登录已退出。
account-sign-out-everywhere = 退出所有设备上的登录
account-tokens = 接口令牌
account-tokens-hint = 供其他系统以本账号身份调用 /api/v1 接口使用,权限与本账号相同。
account-tokens-none = 暂无接口令牌。
account-token-once = 新令牌只显示这一次,请立即复制保存:
account-token-created = 创建时间
account-token-used = 最近使用
account-token-revoked = 已作废
account-token-revoke = 作废
account-token-create = 新建令牌

error-unauthorized = 请先登录
error-forbidden = 您的角色无权进行此操作
error-unavailable = 系统暂时无法完成操作,请稍后再试
err-form-expired = 页面已过期或来源不明,请刷新页面后重试
err-form-content_type = 提交方式不正确:只接受网页表单
err-form-too_large = 提交的内容太大
err-form-malformed = 提交的内容格式不正确,请刷新页面后重新填写
# 接口无法读取的请求(reject::Json、reject::ApiQuery)的拒绝理由。
err-accounts-malformed_json = 请求内容不是有效的 JSON:{ $detail }
err-accounts-malformed_query = 查询参数格式不对:{ $detail }
err-api-content_type = 请求内容须为 JSON,并带请求头 Content-Type: application/json
err-api-too_large = 请求内容太大
err-account-password_wrong = 输入不正确
err-account-password_mismatch = 两次输入的新密码不一致
err-account-password_unchanged = 新密码不能与当前密码相同
err-account-token_name = 令牌名称不能为空且不超过 50 个字
err-account-too_many_tokens = 有效令牌已达上限 { $detail } 个,请先作废不用的令牌
err-division-outside_jurisdiction = 区划 { $detail } 不在您的管辖范围内

home-attention = 待办提醒
home-attention-none = 目前没有需要您处理的事项。
home-locked-accounts = { $count } 个账号因连续输错密码被临时锁定
home-first-password = { $count } 个账号尚未修改初始密码
home-calendar-missing = { $year } 年的放假调休安排尚未录入,该年的办理时限无法计算(用 minzheng calendar import 导入)
home-cases-overdue = { $count } 件救助申请已超过办理时限
home-reviews-due = { $count } 户救助对象已到复核期
home-failed-sign-ins = 近 24 小时有 { $count } 次登录失败
