# Social assistance (en): error messages of service::assistance and
# domain::assistance(::workflow). Pages add their own ids here.

err-assistance-community_unknown = Community or village { $detail } does not exist or is outside your jurisdiction
err-assistance-community_level = { $detail } is not a community or village; an application belongs to one
err-assistance-address = Enter the household's address, at most { $detail } characters
err-assistance-future_date = The date cannot be after today ({ $detail })
err-assistance-note_long = The note cannot exceed { $detail } characters
err-assistance-no_members = Enter at least one household member
err-assistance-too_many_members = A household can list at most { $detail } members
err-assistance-member_name = Enter the member's name, at most { $detail } characters
err-assistance-duplicate_member = The same ID number is entered twice; this is the person of row { $detail }
err-assistance-relation_unknown = Relation "{ $detail }" is unknown: head, spouse, child, parent, grandchild, sibling or other
err-assistance-head_count = A household needs exactly one head ({ $detail } entered)
err-assistance-disability_grade = The disability grade must be 0 (none) to 4: { $detail }
err-assistance-employment_unknown = Employment status "{ $detail }" is unknown
err-assistance-self_care_unknown = Self-care level "{ $detail }" is unknown: capable, partly unable or fully unable
err-assistance-in_other_case = This person is already in another active assistance case (case, programme, community: { $detail }); nobody receives two programmes at once: close or withdraw that case first
err-assistance-income_negative = The monthly income per person cannot be negative: { $detail }
err-assistance-reason_short = Give a reason of at least { $detail } characters
err-assistance-reason_long = The reason cannot exceed { $detail } characters
err-assistance-case_changed = This case was changed by { $detail }; reload the page and try again
err-assistance-notice_not_posted = The case has no public notice to print yet (case { $detail })
err-assistance-negative_amount = The amount cannot be negative: { $detail }
err-assistance-citation = Enter the document that sets it, at most { $detail } characters
err-assistance-percent_too_large = A classified-assistance percentage cannot exceed 100: { $detail }
err-assistance-age = The age condition must be between 1 and 120 years: { $detail }
err-assistance-notice_days = The notice must last { $detail } days
err-assistance-decision_working_days = The time limit must be { $detail } working days
err-assistance-unknown_program = Programme "{ $detail }" is unknown: dibao, dibao_margin, tekun_dispersed or tekun_centralized
err-assistance-no_standard = No standard is in force for that month; the assistance section must enter one ({ $detail })
err-assistance-no_monthly_cash = Low-income margin households receive no monthly cash
err-assistance-overflow = The amount is too large to compute
err-assistance-duplicate_standard = Two standards for one programme, area and date: { $detail }
err-assistance-duplicate_policy = Two classified-assistance policies from one date: { $detail }

err-workflow-not_started = A case starts with its application
err-workflow-out_of_order = This step cannot be recorded now; the order is application, means check, home visit, (community review,) notice, decision ({ $detail })
err-workflow-closed = The case is closed ({ $detail })
err-workflow-notice_running = The notice period has not ended; a decision can be recorded from the day after it ends ({ $detail })
err-workflow-back_dated = The date cannot be before the previous step's ({ $detail })
err-workflow-reason_required = A refusal or withdrawal needs a reason
err-workflow-notice_before_step = The notice cannot start before the day the step is recorded ({ $detail })
