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
