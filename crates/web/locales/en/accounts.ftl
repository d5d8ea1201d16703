# 账号管理 / accounts administration (en)

accounts-title = Accounts
accounts-search = Find
accounts-search-hint = Name, pinyin initials or username
accounts-search-submit = Search
accounts-search-reset = Clear
accounts-filter-division = Street or town
accounts-filter-status = Status
accounts-filter-all = All
accounts-new = New account
accounts-export-xlsx = Export this list (Excel)
accounts-export-csv = Export this list (CSV)
accounts-none = No accounts match.
accounts-sheet = Accounts

accounts-col-username = Username
accounts-col-name = Name
accounts-col-role = Role
accounts-col-jurisdiction = Jurisdiction
accounts-col-jurisdiction-code = Jurisdiction code
accounts-col-phone = Phone
accounts-col-status = Status
accounts-col-created = Opened

accounts-status-active = Active
accounts-status-disabled = Disabled
accounts-status-locked = Locked
accounts-status-must-change-password = Must change initial password

accounts-pager-label = Pages
accounts-pager-prev = Previous
accounts-pager-next = Next
accounts-pager-summary = { $total } in all, showing { $first }–{ $last } (page { $page } of { $pages })

accounts-notice-created = The account is open. Give the initial password to its holder in person or by phone; it must be changed at the first sign-in.
accounts-notice-saved = The account was saved.
accounts-notice-reset = The password was reset and the account signed out everywhere; it must be changed at the next sign-in.
accounts-phone-none = None recorded
accounts-locked-until = until
accounts-edit = Edit account
accounts-reveal-title = Show the full phone number
accounts-reveal-hint = Showing the full number is logged with your reason (at least 4 characters), e.g. "tell them the password was reset".
accounts-reveal-submit = Show full number
accounts-reveal-logged = This view has been logged
accounts-reset-title = Reset password
accounts-reset-hint = For a forgotten password or a locked account. The account is signed out everywhere and must choose its own password at the next sign-in.
accounts-reset-password = New temporary password
accounts-reset-confirm = Reset this account's password? It will be signed out everywhere.
accounts-reset-submit = Reset password

accounts-form-refused = Some fields need correcting; see the messages in red.
accounts-username-rule = (3–32 lower-case letters, digits, underscores, dots or dashes; cannot be changed later)
accounts-jurisdiction-rule = (district sections, leaders and auditors: the district; street officers: a street or town; community workers: a community or village)
accounts-choose = Choose…
accounts-phone-optional = (optional: mobile or landline)
accounts-phone-keep = (leave empty to keep)
accounts-phone-clear = Remove the recorded number
accounts-disable = Disable this account (it cannot sign in; its records stay)
accounts-initial-password = Initial password
accounts-must-change-hint = The holder must change the initial password at the first sign-in.
accounts-save = Save
accounts-create = Open account

field-phone = Phone
field-reason = Reason for viewing
field-disabled = Disabled

err-account-phone_format = Not a phone number: a mobile number is 11 digits starting with 1; a landline has only digits and dashes, e.g. 0755-12345678
err-account-reason_short = Give a reason of at least { $detail } characters
err-account-reason_long = The reason may have at most { $detail } characters
err-account-own_role = You cannot change your own role; ask another administrator
err-account-disable_self = You cannot disable your own account
err-account-reset_self = Your own password is changed under My account, not here
err-list-export_too_large = More than { $detail } records to export; narrow the list with filters first
err-account-role_console_only = The administrator and auditor roles can only be granted on the server with minzheng user add, not on the web
