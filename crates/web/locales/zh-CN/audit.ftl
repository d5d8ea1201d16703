# 操作日志 / audit log (zh-CN)
