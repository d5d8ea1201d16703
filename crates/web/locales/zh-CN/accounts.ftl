# 账号管理 / accounts administration (zh-CN)
