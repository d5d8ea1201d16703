# 社会救助 / social assistance (zh-CN): error messages of service::assistance and
# domain::assistance(::workflow). Pages add their own ids here.

err-assistance-community_unknown = 社区(村){ $detail } 不存在或不在您的管辖范围内
err-assistance-community_level = { $detail } 不是社区或村,申请须落到社区(村)一级
err-assistance-address = 请填写家庭住址,不超过 { $detail } 个字
err-assistance-future_date = 日期不能晚于今天({ $detail })
err-assistance-note_long = 备注不能超过 { $detail } 个字
err-assistance-no_members = 请至少填写一名家庭成员
err-assistance-too_many_members = 家庭成员不能超过 { $detail } 人
err-assistance-member_name = 请填写成员姓名,不超过 { $detail } 个字
err-assistance-duplicate_member = 同一身份证号重复填写,与第 { $detail } 行是同一人
err-assistance-relation_unknown = 与户主关系“{ $detail }”无法识别,应为户主、配偶、子女、父母、孙子女、兄弟姐妹或其他
err-assistance-head_count = 每户必须有且只有一名户主(现填了 { $detail } 名)
err-assistance-disability_grade = 残疾等级应为 0(无)到 4 级:{ $detail }
err-assistance-employment_unknown = 就业状况“{ $detail }”无法识别
err-assistance-self_care_unknown = 生活自理能力“{ $detail }”无法识别,应为具备、部分丧失或完全丧失
err-assistance-in_other_case = 该居民已在另一个未结救助案件中(案件号、项目、社区:{ $detail }),同一人不能同时享受低保和特困等两项待遇,请先在原案件办结或撤回
err-assistance-income_negative = 月人均收入不能为负数:{ $detail }
err-assistance-reason_short = 请写明事由,至少 { $detail } 个字
err-assistance-reason_long = 事由不能超过 { $detail } 个字
err-assistance-case_changed = 该案件已被 { $detail } 修改,请刷新页面后再操作
err-assistance-notice_not_posted = 该案件尚未公示,没有可打印的公示(案件 { $detail })
err-assistance-negative_amount = 金额不能为负数:{ $detail }
err-assistance-citation = 请填写依据文件(文号),不超过 { $detail } 个字
err-assistance-percent_too_large = 分类施保比例不能超过 100%:{ $detail }
err-assistance-age = 年龄条件应在 1 到 120 岁之间:{ $detail }
err-assistance-notice_days = 公示天数应在 { $detail } 天之间
err-assistance-decision_working_days = 审核确认时限应在 { $detail } 个工作日之间
err-assistance-unknown_program = 救助项目“{ $detail }”无法识别,应为低保、低保边缘、特困分散供养或特困集中供养
err-assistance-no_standard = 该月没有适用的保障标准,请救助科先录入标准({ $detail })
err-assistance-no_monthly_cash = 低保边缘家庭不发放月度救助金
err-assistance-overflow = 金额过大,超出系统能计算的范围
err-assistance-duplicate_standard = 同一项目、城乡类型和生效日期的保障标准重复:{ $detail }
err-assistance-duplicate_policy = 同一生效日期的分类施保办法重复:{ $detail }

err-workflow-not_started = 案件须从受理申请开始
err-workflow-out_of_order = 当前环节不能办理这一步,请按受理、核对、入户调查、(民主评议、)公示、审核确认的顺序办理({ $detail })
err-workflow-closed = 案件已办结,不能再办理({ $detail })
err-workflow-notice_running = 公示期未满,公示期满次日起才能审核确认({ $detail })
err-workflow-back_dated = 办理日期不能早于上一步的日期({ $detail })
err-workflow-reason_required = 不予确认或撤回须写明理由
err-workflow-notice_before_step = 公示开始日期不能早于办理日期({ $detail })
