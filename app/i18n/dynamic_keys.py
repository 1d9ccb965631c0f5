"""Keys the code builds at run time, or uses where extraction cannot read them (inside an f-string).

`pybabel extract` reads this file like any other, so these keys stay in the catalogues; a key
built as f"audit.action.{action}" must be listed here when its catalogue entry is added.
"""

from __future__ import annotations

from app.i18n import N_

BUILT_KEYS = (
    # about.*
    N_("about.copy"),
    # action.*
    N_("action.clear"),
    N_("action.coupon"),
    N_("action.enroll"),
    N_("action.print"),
    N_("action.redeem"),
    N_("action.sale"),
    N_("action.stamps"),
    N_("action.void"),
    # audit.action.backup.*
    N_("audit.action.backup.create"),
    N_("audit.action.backup.prune"),
    N_("audit.action.backup.restore"),
    # audit.action.card.*
    N_("audit.action.card.blank_batch"),
    N_("audit.action.card.reissue"),
    # audit.action.clock.*
    N_("audit.action.clock.override"),
    # audit.action.customer.*
    N_("audit.action.customer.enroll"),
    N_("audit.action.customer.erase"),
    N_("audit.action.customer.erase_again"),
    N_("audit.action.customer.reveal_phone"),
    N_("audit.action.customer.view"),
    # audit.action.customers.*
    N_("audit.action.customers.export"),
    # audit.action.daily.*
    N_("audit.action.daily.run"),
    # audit.action.program.*
    N_("audit.action.program.load"),
    # audit.action.sale.*
    N_("audit.action.sale.void"),
    # audit.action.settings.*
    N_("audit.action.settings.card_sheet"),
    N_("audit.action.settings.update"),
    # audit.action.staff.*
    N_("audit.action.staff.add"),
    N_("audit.action.staff.disable"),
    N_("audit.action.staff.enable"),
    N_("audit.action.staff.pin"),
    N_("audit.action.staff.pin_wrong"),
    N_("audit.action.staff.sign_in"),
    # audit.action.store.*
    N_("audit.action.store.update"),
    # audit.area.*
    N_("audit.area.backup"),
    N_("audit.area.customer"),
    N_("audit.area.customers"),
    N_("audit.area.program"),
    N_("audit.area.sale"),
    N_("audit.area.settings"),
    N_("audit.area.staff"),
    N_("audit.area.store"),
    # audit.col.*
    N_("audit.col.about"),
    N_("audit.col.action"),
    N_("audit.col.when"),
    N_("audit.col.who"),
    # audit.detail.*
    N_("audit.detail.count"),
    N_("audit.detail.fields"),
    N_("audit.detail.file"),
    N_("audit.detail.files"),
    N_("audit.detail.keep"),
    N_("audit.detail.keys"),
    N_("audit.detail.marketing_consent"),
    N_("audit.detail.role"),
    # backups.col.*
    N_("backups.col.customers"),
    N_("backups.col.entries"),
    N_("backups.col.kind"),
    N_("backups.col.size"),
    N_("backups.col.when"),
    # backups.kind.*
    N_("backups.kind.auto"),
    N_("backups.kind.manual"),
    # camera.*
    N_("camera.none"),
    # cli.*
    N_("cli.active_members"),
    N_("cli.birthday"),
    N_("cli.card"),
    N_("cli.coupons"),
    N_("cli.enrolled"),
    N_("cli.expiring"),
    N_("cli.line"),
    N_("cli.members"),
    N_("cli.new_members"),
    N_("cli.points"),
    N_("cli.points_expired"),
    N_("cli.points_issued"),
    N_("cli.points_outstanding"),
    N_("cli.points_redeemed"),
    # cli.print.kind.*
    N_("cli.print.kind.card"),
    N_("cli.print.kind.cards"),
    N_("cli.print.kind.slip"),
    N_("cli.print.kind.test-sheet"),
    # cli.*
    N_("cli.redemption_rate"),
    N_("cli.sales_amount"),
    N_("cli.stamps"),
    # cli.sync.*
    N_("cli.sync.duplicate"),
    N_("cli.sync.negative_balance"),
    N_("cli.sync.duplicate_expiry"),
    # cli.*
    N_("cli.tier"),
    N_("cli.tier_counts"),
    N_("cli.visits"),
    # crash.*
    N_("crash.copy"),
    # cust.col.*
    N_("cust.col.enrolled"),
    N_("cust.col.last_visit"),
    N_("cust.col.name"),
    N_("cust.col.phone"),
    N_("cust.col.points"),
    N_("cust.col.stamps"),
    N_("cust.col.status"),
    N_("cust.col.tier"),
    # cust.*
    N_("cust.marketing"),
    N_("cust.open"),
    N_("cust.shown"),
    N_("cust.shown_all"),
    N_("cust.sort"),
    # cust.sort.*
    N_("cust.sort.name"),
    N_("cust.sort.newest"),
    N_("cust.sort.oldest"),
    # cust.*
    N_("cust.status"),
    # cust.status.*
    N_("cust.status.active"),
    N_("cust.status.erased"),
    N_("cust.status.merged"),
    N_("cust.status.withdrawn"),
    # cust.*
    N_("cust.tier"),
    # detail.*
    N_("detail.birthday"),
    # detail.col.*
    N_("detail.col.amount"),
    N_("detail.col.at"),
    N_("detail.col.balance"),
    N_("detail.col.code"),
    N_("detail.col.expires"),
    N_("detail.col.from"),
    N_("detail.col.kind"),
    N_("detail.col.points"),
    N_("detail.col.reason"),
    N_("detail.col.stamp_balance"),
    N_("detail.col.stamps"),
    N_("detail.col.to"),
    N_("detail.col.until"),
    N_("detail.col.used"),
    N_("detail.col.value"),
    # detail.*
    N_("detail.erase_confirm"),
    # detail.kind.*
    N_("detail.kind.adjust"),
    N_("detail.kind.bonus"),
    N_("detail.kind.earn"),
    N_("detail.kind.refund"),
    N_("detail.kind.expire"),
    N_("detail.kind.redeem"),
    N_("detail.kind.void"),
    # detail.*
    N_("detail.name"),
    N_("detail.phone"),
    # detail.tab.*
    N_("detail.tab.coupons"),
    N_("detail.tab.ledger"),
    N_("detail.tab.tiers"),
    N_("detail.tab.visits"),
    # detail.*
    N_("detail.withdraw_confirm"),
    # import.*
    N_("import.check"),
    N_("import.column_count"),
    N_("import.csv_broken"),
    # import.field.*
    N_("import.field.birthday"),
    N_("import.field.marketing_consent"),
    N_("import.field.name"),
    N_("import.field.phone"),
    N_("import.field.points"),
    N_("import.field.stamps"),
    # import.*
    N_("import.run"),
    N_("import.step_check"),
    N_("import.step_done"),
    N_("import.step_file"),
    N_("import.step_mapping"),
    # page.*
    N_("page.customers"),
    N_("page.import"),
    N_("page.reports"),
    N_("page.sync"),
    N_("page.winback"),
    # prog.*
    N_("prog.bonuses"),
    N_("prog.campaigns"),
    # prog.col.*
    N_("prog.col.bonus"),
    N_("prog.col.code"),
    N_("prog.col.earn_percent"),
    N_("prog.col.end"),
    N_("prog.col.hours"),
    N_("prog.col.min_spend"),
    N_("prog.col.multiplier"),
    N_("prog.col.name"),
    N_("prog.col.start"),
    N_("prog.col.tiers"),
    N_("prog.col.weekdays"),
    # prog.field.bonuses.*
    N_("prog.field.bonuses.birthday"),
    N_("prog.field.bonuses.referral"),
    N_("prog.field.bonuses.signup"),
    # prog.field.points.*
    N_("prog.field.points.expiry_months"),
    N_("prog.field.points.min_redeem"),
    N_("prog.field.points.redeem_unit"),
    # prog.field.stamps.*
    N_("prog.field.stamps.goal"),
    # prog.field.tiers.*
    N_("prog.field.tiers.levels"),
    N_("prog.field.tiers.window_months"),
    # prog.per.*
    N_("prog.per.item"),
    N_("prog.per.none"),
    N_("prog.per.visit"),
    # prog.*
    N_("prog.points"),
    N_("prog.stamps"),
    # prog.template.*
    N_("prog.template.both"),
    N_("prog.template.points"),
    N_("prog.template.stamps"),
    # prog.*
    N_("prog.tiers"),
    # redeem.*
    N_("redeem.points"),
    # report.*
    N_("report.active"),
    N_("report.average"),
    N_("report.chart_members"),
    N_("report.chart_points"),
    N_("report.expired"),
    N_("report.issued"),
    N_("report.liability"),
    N_("report.members"),
    N_("report.month"),
    N_("report.new_members"),
    N_("report.period"),
    N_("report.rate"),
    N_("report.redeemed"),
    N_("report.sales"),
    N_("report.title"),
    N_("report.visits"),
    N_("report.won"),
    # reports.*
    N_("reports.average_spend"),
    N_("reports.campaign_name"),
    N_("reports.campaign_period"),
    N_("reports.campaign_points"),
    N_("reports.campaign_sales"),
    N_("reports.campaign_visits"),
    N_("reports.campaigns"),
    N_("reports.cohorts"),
    N_("reports.frequency"),
    N_("reports.last12"),
    N_("reports.liability"),
    N_("reports.members"),
    N_("reports.points"),
    N_("reports.redemption_rate"),
    N_("reports.top"),
    N_("reports.top_name"),
    N_("reports.top_phone"),
    N_("reports.top_spend"),
    N_("reports.top_visits"),
    # store.*
    N_("store.address"),
    N_("store.business_number"),
    N_("store.name"),
    N_("store.phone_label"),
    # sync.kind.*
    N_("sync.kind.duplicate"),
    N_("sync.kind.negative_balance"),
    N_("sync.kind.duplicate_expiry"),
    # winback.*
    N_("winback.average"),
    N_("winback.kind_amount"),
    N_("winback.kind_item"),
    N_("winback.kind_percent"),
    N_("winback.last_visit"),
    N_("winback.marketing"),
    N_("winback.name"),
    N_("winback.need_search"),
    N_("winback.phone"),
    N_("winback.total"),
    N_("winback.visits"),
    # wizard.*
    N_("wizard.back"),
    N_("wizard.cancel"),
    # wizard.demo.*
    N_("wizard.demo.subtitle"),
    N_("wizard.demo.title"),
    # wizard.*
    N_("wizard.finish"),
    N_("wizard.next"),
    # wizard.pin.*
    N_("wizard.pin.subtitle"),
    N_("wizard.pin.title"),
    # wizard.printer.*
    N_("wizard.printer.subtitle"),
    N_("wizard.printer.title"),
    # wizard.program.*
    N_("wizard.program.both"),
    N_("wizard.program.points"),
    N_("wizard.program.stamps"),
    N_("wizard.program.subtitle"),
    N_("wizard.program.title"),
    # wizard.store.*
    N_("wizard.store.subtitle"),
    N_("wizard.store.title"),
    # slip.coupon.* (slip_layout.coupon_text: the coupon's kind)
    N_("slip.coupon.amount"),
    N_("slip.coupon.item"),
    N_("slip.coupon.percent"),
    # card.per_* (card.rules_lines: what earns a stamp)
    N_("card.per_item"),
    N_("card.per_visit"),
    # --- sec: audit actions and details of tokens and purges ---
    N_("audit.action.token.create"),
    N_("audit.action.token.revoke"),
    N_("audit.action.sale.record"),
    N_("audit.action.backup.purge"),
    N_("audit.detail.token"),
    N_("audit.detail.scope"),
    N_("audit.detail.older_than_days"),
    # --- pos: what the tap did with a receipt (cli.tap.kind.<TapOutcome.kind>) ---
    N_("cli.tap.kind.pending"),
    N_("cli.tap.kind.repeat"),
    N_("cli.tap.kind.cancelled"),
    N_("cli.tap.kind.refunded"),
    N_("cli.tap.kind.unreadable"),
    N_("cli.tap.kind.unknown_sale"),
    N_("cli.tap.kind.refused"),
    # weekday.* (finish13: the campaign editor's day boxes)
    N_("weekday.0"),
    N_("weekday.1"),
    N_("weekday.2"),
    N_("weekday.3"),
    N_("weekday.4"),
    N_("weekday.5"),
    N_("weekday.6"),
    # the accept button of a back-office confirmation (finish13)
    N_("detail.merge_accept"),
    N_("detail.withdraw_accept"),
    N_("detail.erase_accept"),
    N_("backups.restore_accept"),
    N_("backups.purge_accept"),
    # the visit rating's section of the reports (nps)
    N_("reports.nps"),
    # --- checkin: the channels on the customer's screen ---
    N_("checkin.channel.sms"),
    N_("checkin.channel.alimtalk"),
    N_("checkin.channel.friendtalk"),
    # --- insight19: the back office's page of KPIs and segments (issue 19) ---
    N_("page.insight"),
    # --- partners19: the CLI's chosen sentences ---
    N_("cli.partner.consent_granted"),
    N_("cli.partner.consent_withdrawn"),
    N_("cli.partner.shop"),
    N_("cli.partner.shop_me"),
    N_("page.partners"),
    N_("partners.closed"),
    N_("partners.settled"),
    N_("partners.acked_done"),
    # --- passes18: the audit actions of subscription passes (f"pass.{action}") ---
    N_("audit.action.pass.sold"),
    N_("audit.action.pass.used"),
    N_("audit.action.pass.paused"),
    N_("audit.action.pass.resumed"),
    N_("audit.action.pass.cancelled"),
    # passes18: a pass used beyond its day's allowance at two registers (needs attention)
    N_("cli.sync.pass_overuse"),
    N_("sync.kind.pass_overuse"),
    # passes18: the slip of a pass action (f"slip.pass.{action}")
    N_("slip.pass.sold"),
    N_("slip.pass.used"),
    N_("slip.pass.paused"),
    N_("slip.pass.resumed"),
    N_("slip.pass.cancelled"),
    # passes18: the plans' table of the program page (f"prog.col.{column}")
    N_("prog.col.pass_code"),
    N_("prog.col.pass_name"),
    N_("prog.col.pass_price"),
    N_("prog.col.pass_days"),
    N_("prog.col.pass_benefit"),
    N_("prog.col.pass_percent"),
    N_("prog.col.pass_items"),
    N_("prog.col.pass_uses"),
    N_("prog.col.pass_hours"),
    N_("prog.col.pass_refund"),
    N_("prog.passes"),  # the plans' box title, through ProgramPage._box
    N_("reports.passes"),  # the passes' section of the reports (a heading by its key)
    N_("reports.pass_month"),
    N_("reports.pass_new"),
    N_("reports.pass_lapsed"),
    N_("reports.pass_uses"),
    N_("reports.pass_revenue"),
    N_("prog.pass_benefit.free_item"),  # a plan's benefit and refund rule in the owner's words
    N_("prog.pass_benefit.percent_off"),
    N_("prog.pass_refund.none"),
    N_("prog.pass_refund.pro_rata"),
    # --- wallet18: the counter's wallet button and a top-up's payment methods ---
    N_("action.wallet"),
    N_("wallet.paid.card"),
    N_("wallet.paid.cash"),
    N_("wallet.paid.transfer"),
    N_("wallet.paid.other"),
    N_("reports.wallet_purse"),
    N_("reports.wallet_issued"),
    N_("reports.wallet_spent"),
    N_("reports.wallet_expired"),
    N_("reports.wallet_returned"),
    N_("reports.wallet_outstanding"),
    # --- sync20: the checks of sync doctor (cli.sync.doctor.<check>.<state>) ---
    N_("cli.sync.doctor.connection.ok"),
    N_("cli.sync.doctor.connection.unreachable"),
    N_("cli.sync.doctor.schema.same"),
    N_("cli.sync.doctor.schema.behind"),
    N_("cli.sync.doctor.schema.newer"),
    N_("cli.sync.doctor.schema.empty"),
    N_("cli.sync.doctor.clock.ok"),
    N_("cli.sync.doctor.clock.fast"),
    N_("cli.sync.doctor.clock.slow"),
    N_("cli.sync.doctor.lag.ok"),
    N_("cli.sync.doctor.lag.behind"),
    N_("cli.sync.doctor.lag.never"),
    N_("cli.sync.doctor.password.keyring"),
    N_("cli.sync.doctor.password.env"),
    N_("cli.sync.doctor.password.session"),
    N_("cli.sync.doctor.password.none"),
    N_("cli.sync.doctor.store.windows"),
    N_("cli.sync.doctor.store.macos"),
    N_("cli.sync.doctor.store.none"),
)
