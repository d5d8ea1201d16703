# 账号管理 / accounts administration (zh-CN)

accounts-title = 账号管理
accounts-search = 查找
accounts-search-hint = 姓名、拼音首字母或用户名
accounts-search-submit = 查询
accounts-search-reset = 清空条件
accounts-filter-division = 所属街道(镇)
accounts-filter-status = 账号状态
accounts-filter-all = 全部
accounts-new = 新建账号
accounts-export-xlsx = 导出当前列表(Excel)
accounts-export-csv = 导出当前列表(CSV)
accounts-none = 没有符合条件的账号。
accounts-sheet = 账号

accounts-col-username = 用户名
accounts-col-name = 姓名
accounts-col-role = 角色
accounts-col-jurisdiction = 管辖范围
accounts-col-jurisdiction-code = 管辖区划代码
accounts-col-phone = 联系电话
accounts-col-status = 状态
accounts-col-created = 开通时间

accounts-status-active = 正常
accounts-status-disabled = 已停用
accounts-status-locked = 已锁定
accounts-status-must-change-password = 待修改初始密码

accounts-pager-label = 翻页
accounts-pager-prev = 上一页
accounts-pager-next = 下一页
accounts-pager-summary = 共 { $total } 条,当前第 { $first }–{ $last } 条(第 { $page }/{ $pages } 页)

accounts-notice-created = 账号已开通。请把初始密码当面或电话告知本人,首次登录时须修改。
accounts-notice-saved = 账号信息已保存。
accounts-notice-reset = 密码已重置,该账号在所有设备上的登录已退出,下次登录须修改密码。
accounts-phone-none = 未登记
accounts-locked-until = 锁定至
accounts-edit = 修改账号信息
accounts-reveal-title = 查看完整电话号码
accounts-reveal-hint = 查看完整号码会记入操作日志,须写明事由(至少 4 个字),如“通知重置密码”。
accounts-reveal-submit = 查看完整号码
accounts-reveal-logged = 本次查看已记入操作日志
accounts-reset-title = 重置密码
accounts-reset-hint = 用于本人忘记密码或账号被锁定。重置后该账号在所有设备上退出登录,下次登录须改成自己的密码。
accounts-reset-password = 新的临时密码
accounts-reset-confirm = 确定重置该账号的密码吗?该账号将在所有设备上退出登录。
accounts-reset-submit = 重置密码

accounts-form-refused = 填写有误,请按红字提示修改后再提交。
accounts-username-rule = (3–32 位小写字母、数字、下划线、点或短横线,开通后不能修改)
accounts-jurisdiction-rule = (区级科室、领导、审计选区;街道干部选街道或镇;社区工作者选社区或村)
accounts-choose = 请选择
accounts-phone-optional = (选填,手机号或座机号)
accounts-phone-keep = (不填则保留原号码)
accounts-phone-clear = 删除已登记的号码
accounts-disable = 停用该账号(停用后不能登录,记录保留)
accounts-initial-password = 初始密码
accounts-must-change-hint = 本人首次登录时须修改初始密码。
accounts-save = 保存
accounts-create = 开通账号

field-phone = 联系电话
field-reason = 查看事由
field-disabled = 停用

err-account-phone_format = 电话号码格式不对:手机号为 1 开头的 11 位数字,座机号只能填数字和短横线,如 0755-12345678
err-account-reason_short = 请写明查看事由,至少 { $detail } 个字
err-account-reason_long = 查看事由不能超过 { $detail } 个字
err-account-own_role = 不能修改自己的角色,请由其他管理员办理
err-account-disable_self = 不能停用自己的账号
err-account-reset_self = 不能在这里重置自己的密码,请在“我的账号”中修改
err-list-export_too_large = 导出的记录超过 { $detail } 条,请先用查询条件缩小范围
err-account-role_console_only = 系统管理员和审计角色只能由运维人员在服务器上用 minzheng user add 设立,不能在网页上授予
