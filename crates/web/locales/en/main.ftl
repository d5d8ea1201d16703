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
err-division-wrong_length = The division code must have 12 digits (6 for a district or county): { $detail }
err-division-invalid_char = The division code may contain digits only: { $detail }
err-division-zero_county = The county part of the division code (digits 1–6) must not be 000000
err-division-village_without_township = The division code has a community or village part but no street or town (digits 7–9 are 000): { $detail }
err-division-unknown_area = Unknown urban/rural type: use urban or rural ({ $detail })

err-resident_id-wrong_length = The resident ID number must have 18 characters: { $detail }
err-resident_id-invalid_char = The resident ID number may contain digits only, and X as the last character: { $detail }
err-resident_id-invalid_birth_date = The birth date in the resident ID number (digits 7–14) is not a date: { $detail }
err-resident_id-birth_year_out_of_range = The birth year in the resident ID number is implausible: { $detail }
err-resident_id-check_char_mismatch = The resident ID number's check character does not match; it was probably mistyped: { $detail }
err-resident_id-sequence_out_of_range = The sequence code of the resident ID number is out of range: { $detail }
err-resident_id-born_after = The birth date in the resident ID number lies in the future: { $detail }

err-credit_code-wrong_length = The unified social credit code must have 18 characters: { $detail }
err-credit_code-excluded_letter = The unified social credit code never uses I, O, Z, S or V; check for a mistyped 1, 0, 2 or 5: { $detail }
err-credit_code-invalid_char = The unified social credit code may contain digits and capital letters only: { $detail }
err-credit_code-non_digit_division = Positions 3–8 of the unified social credit code (the registering authority's division) must be digits: { $detail }
err-credit_code-check_char_mismatch = The unified social credit code's check character does not match; it was probably mistyped: { $detail }
err-credit_code-org_check_mismatch = The organisation code inside the unified social credit code (positions 9–17) does not check; it was probably mistyped: { $detail }

err-money-empty = The amount must not be empty
err-money-sign_only = The amount has a sign but no digits
err-money-unexpected_char = The amount may contain digits, a decimal point and thousands separators only: { $detail }
err-money-missing_integer_digits = Write a digit before the decimal point, e.g. 0.50 rather than .50
err-money-missing_decimals = Digits are missing after the decimal point
err-money-too_many_decimals = Amounts are exact to the fen: at most two decimals
err-money-bad_grouping = A thousands separator is misplaced; write e.g. 1,234.50: { $detail }
err-money-separator_in_decimals = The decimals must not contain a separator: { $detail }
err-money-overflow = The amount is too large to record

err-month-empty = The month must not be empty
err-month-unexpected_char = Write the month as 2013-07 or 2013年7月: { $detail }
err-month-unexpected_end = The month is incomplete; write it as 2013-07 or 2013年7月: { $detail }
err-month-year_out_of_range = The month's year is out of range: { $detail }
err-month-month_out_of_range = The month must be between 1 and 12: { $detail }

err-date-empty = The date must not be empty
err-date-unexpected_char = Write the date as 2013-07-01 or 2013年7月1日: { $detail }
err-date-unexpected_end = The date is incomplete; write it as 2013-07-01 or 2013年7月1日: { $detail }
err-date-year_out_of_range = The date's year is out of range (1–9999): { $detail }
err-date-month_out_of_range = The date's month must be between 1 and 12: { $detail }
err-date-day_out_of_range = That month has no such day: { $detail }

err-calendar-year_not_covered = The holiday calendar does not cover that year yet; import the State Council's holiday schedule for it first ({ $detail })
err-calendar-too_many_working_days = Too many working days ({ $detail })
err-calendar-end_before_start = The end date is before the start date ({ $detail })
err-calendar-covered_year_out_of_range = The year is out of range 1–9999 ({ $detail })
err-calendar-duplicate_date = A date appears twice ({ $detail })
err-calendar-entry_not_covered = The date lies outside the year being imported ({ $detail })
err-calendar-workday_on_weekday = A make-up working day must be a Saturday or Sunday ({ $detail })
err-calendar-empty_name = The holiday name must not be empty ({ $detail })
err-calendar-name_too_long = The holiday name is too long ({ $detail })
err-calendar-csv_header = Line 1 of the file must be the header date,kind,name
err-calendar-csv_field_count = Every line needs 3 columns: date, kind, name ({ $detail })
err-calendar-csv_date = Write dates as 2013-07-01 ({ $detail })
err-calendar-csv_kind = The kind must be holiday or workday ({ $detail })

# Payee accounts, bank files and bank returns (domain::bank)
err-bank_account-empty = The account number must not be empty
err-bank_account-invalid_char = The account number may contain digits only (spaces are removed) ({ $detail })
err-bank_account-wrong_length = Wrong number of digits: a card has 16–19, a passbook or enterprise account 8–32 ({ $detail })
err-bank_account-luhn_mismatch = The card number's check digit does not match; check for a typo, or choose passbook/enterprise for such accounts
err-bank_account-holder_empty = The account holder's name must not be empty
err-bank_account-bank_empty = The bank must not be empty
err-bank_account-name_too_long = The holder's or bank's name is too long ({ $detail })
err-bank_account-name_invalid_char = The holder's or bank's name contains a character that is not allowed ({ $detail })
err-bank_account-bank_code = The bank code (CNAPS) must have 12 digits ({ $detail })
err-bank_batch-empty = The batch has no payments
err-bank_batch-too_many_lines = The batch has too many payments ({ $detail })
err-bank_batch-message_id = The batch id may use letters, digits, - . / : ( ) ? , ' + and spaces, at most 35 characters ({ $detail })
err-bank_batch-key_empty = A payment lacks its ledger key ({ $detail })
err-bank_batch-key_invalid = A ledger key is too long or contains a control character ({ $detail })
err-bank_batch-duplicate_key = A ledger key occurs twice in the batch ({ $detail })
err-bank_batch-duplicate_end_to_end_id = Two payments have the same end-to-end id ({ $detail })
err-bank_batch-amount_not_positive = A payment's amount must be above zero ({ $detail })
err-bank_batch-text_too_long = A purpose or reference is too long ({ $detail })
err-bank_batch-text_invalid_char = A purpose or reference contains a character that is not allowed ({ $detail })
err-bank_batch-total_too_large = The batch total is beyond what a bank file can state
err-bank_template-no_columns = The bank file template has no columns
err-bank_template-sheet_name = Invalid worksheet name: empty, longer than 31 characters or containing [ ] : * ? / \ ({ $detail })
err-bank_template-not_encodable = This character has no GBK encoding; use a UTF-8 file or check the name with the bank ({ $detail })
err-bank_template-xlsx = The Excel file could not be written ({ $detail })
err-bank_return-unreadable = The bank return file cannot be read ({ $detail })
err-bank_return-encoding = The bank return file's encoding is not recognised; save it as UTF-8 or GBK
err-bank_return-malformed_row = A row of the bank return file is malformed ({ $detail })
err-bank_return-no_header = The bank return file has no header row
err-bank_return-column_missing = The bank return file's header lacks a required column: key, amount, status ({ $detail })
err-bank_return-too_many_rows = The bank return file has too many rows ({ $detail })
err-bank_return-too_many_errors = Too many errors; only the first { $detail } are listed
err-bank_return-key_empty = The key is empty
err-bank_return-duplicate_key = The key occurs twice ({ $detail })
err-bank_return-bad_account = The account may contain digits only ({ $detail })
err-bank_return-bad_amount = The amount is not a valid amount ({ $detail })
err-bank_return-bad_status = The status must be success or failure ({ $detail })

nav-accounts = Accounts
nav-audit = Audit log
nav-sign-out = Sign out

role-admin = Administrator
role-assistance-staff = Assistance section
role-veterans-staff = Veterans section
role-organizations-staff = Social organisations
role-housing-staff = Rental housing review
role-marriage-staff = Marriage registry
role-funeral-staff = Funeral management
role-places-staff = Places section
role-street-officer = Street/town officer
role-community-worker = Community/village worker
role-leader = Leader
role-auditor = Auditor

login-title = Sign in
login-submit = Sign in
login-wrong = Wrong user name or password. After { $tries } wrong tries in a row the account is locked for { $minutes } minutes
login-disabled = This account is disabled; contact the administrator
login-throttled = Too many failed sign-ins from this computer; try again in 15 minutes
login-expired = The sign-in page expired; please enter your details again

password-title = Change password
password-forced = This is your first sign-in or your password was reset: please choose your own password first.
password-rule = (at least 10 characters, not your user name)
password-new = New password
password-submit = Save the new password
field-old_password = Current password
field-repeat_password = New password again
field-form = Form
field-token_name = Token name

account-title = My account
account-password-changed = Password changed; your sessions on other devices were signed out.
account-sign-out-everywhere = Sign out on every device
account-tokens = API tokens
account-tokens-hint = For other systems calling /api/v1 as this account, with this account's permissions.
account-tokens-none = No API tokens.
account-token-once = The new token is shown only this once; copy it now:
account-token-created = Created
account-token-used = Last used
account-token-revoked = Revoked
account-token-revoke = Revoke
account-token-create = New token

error-unauthorized = Please sign in
error-forbidden = Your role does not allow this
error-unavailable = The system cannot do this right now; please try again later
err-form-expired = The page expired or came from elsewhere; reload it and try again
err-form-content_type = Wrong kind of submission: only web forms are accepted
err-form-too_large = What was sent is too large
err-form-malformed = What was sent could not be read; reload the page and fill it in again
# The API's refusals of unreadable input (`reject::Json`, `reject::ApiQuery`).
err-accounts-malformed_json = The request body is not valid JSON: { $detail }
err-accounts-malformed_query = The query parameters are malformed: { $detail }
err-api-content_type = Send the body as JSON, with the header Content-Type: application/json
err-api-too_large = The request body is too large
err-account-password_wrong = incorrect
err-account-password_mismatch = The two new passwords differ
err-account-password_unchanged = The new password must differ from the current one
err-account-token_name = The token name must be 1 to 50 characters
err-account-too_many_tokens = You already have { $detail } live tokens; revoke unused ones first
err-division-outside_jurisdiction = Division { $detail } is outside your jurisdiction

home-attention = Needs your attention
home-attention-none = Nothing needs your attention right now.
home-locked-accounts = { $count } accounts are locked after repeated wrong passwords
home-first-password = { $count } accounts have not changed their initial password
home-calendar-missing = The { $year } holiday calendar is not entered yet; deadlines in that year cannot be counted (import it with minzheng calendar import)
home-cases-overdue = { $count } assistance applications are past their deadline
home-reviews-due = { $count } assistance households are due for review
home-failed-sign-ins = { $count } failed sign-ins in the last 24 hours
