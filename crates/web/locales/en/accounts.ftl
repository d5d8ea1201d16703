# 账号管理 / accounts administration (en)
