# 操作日志 / audit log (en)
