# minzheng UI text (English, second language). The Chinese file ../zh-CN/main.ftl is the
# default; both must define the same message ids.

app-name = minzheng civil affairs
nav-label = Business lines
nav-home = Home
nav-divisions = Divisions
footer = minzheng civil-affairs administration · runs on an offline intranet

home-title = Workbench
home-intro = One program for every business line of a district civil-affairs bureau: money exact to the fen, every change traceable, and every figure of the work summary computed from the records.
home-status = System status
home-engine = Database
home-divisions = Divisions
home-calendar = Holiday calendar covers

divisions-none = No subdivisions.
divisions-path = Division path
divisions-export = Export this division and its subdivisions (CSV)
divisions-children = Subdivisions
divisions-children-count = Subdivisions

level-county = District (county)
level-street = Street
level-town = Town (township)
level-community = Community
level-village = Village
level-other = Other
area-urban = Urban
area-rural = Rural

field-file = File
field-header = Header
field-code = Division code
field-name = Name
field-level = Level
field-area = Urban/rural
field-username = User name
field-display_name = Name
field-password = Password
field-role = Role
field-jurisdiction = Jurisdiction
field-error = { $field }: { $reason }
field-error-row = Row { $row }, { $field }: { $reason }

error-invalid = The input has errors; nothing was changed
error-not-found = No such page or record
error-internal = Internal error; it has been logged, please contact the administrator
error-account-username-taken = The user name is taken

err-unknown = breaks rule { $code } ({ $detail })
err-import-encoding = The file's encoding is not recognised; save it as UTF-8 or GBK
err-import-header = The header lacks required columns (code and name): { $detail }
err-import-malformed_row = The row is malformed: { $detail }
err-import-too_many_rows = The file has more than { $detail } rows
err-division-name_empty = The name must not be empty
err-division-name_too_long = The name must not exceed { $detail } characters
err-division-area_unknown = Unknown urban/rural type "{ $detail }": use urban or rural
err-division-duplicate = Duplicate division code: { $detail }
err-division-parent_missing = The parent division exists neither in the file nor in the system: { $detail }
err-account-username_format = User name "{ $detail }" is not allowed: 3–32 lower-case letters, digits, underscore, dot or dash
err-account-display_name = The name must be 1 to 50 characters
err-account-password_short = The password needs at least { $detail } characters
err-account-password_long = The password must not exceed { $detail } characters
err-account-password_is_username = The password must differ from the user name
err-account-password_hash = The password could not be hashed: { $detail }
err-account-jurisdiction_unknown = Jurisdiction { $detail } does not exist
err-account-jurisdiction_level = The jurisdiction's level does not fit the role: { $detail } (district roles cover the district, street officers a street or town, community workers a community or village)
err-account-username_taken = User name "{ $detail }" is taken
err-role-unknown = No role "{ $detail }"
