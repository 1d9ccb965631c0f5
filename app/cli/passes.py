"""`dangol pass ...`: the subscription plans, selling a pass, using, pausing, resuming,
cancelling it, and the owner's report of the passes.

A cashier sells and uses passes (no owner PIN); the report is the owner's. A POS token of
scope "pos" may do every action but the report.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from app.cli.render import WordsAndData
from app.domain.errors import Refused
from app.i18n import N_, default_language, translate

Command = Callable[..., argparse.ArgumentParser]

WORDS = (
    N_("cli.help.pass"),
    N_("cli.help.pass.plans"),
    N_("cli.help.pass.sell"),
    N_("cli.help.pass.use"),
    N_("cli.help.pass.pause"),
    N_("cli.help.pass.resume"),
    N_("cli.help.pass.cancel"),
    N_("cli.help.pass.show"),
    N_("cli.help.pass.report"),
    N_("cli.help.opt.pass.sell.plan"),
    N_("cli.help.opt.pass.sell.ref"),
    N_("cli.help.opt.pass.use.plan"),
    N_("cli.help.opt.pass.pause.plan"),
    N_("cli.help.opt.pass.resume.plan"),
    N_("cli.help.opt.pass.cancel.plan"),
    N_("cli.help.opt.pass.cancel.ref"),
    N_("cli.help.opt.pass.report.first"),
    N_("cli.help.opt.pass.report.last"),
    N_("pass.status.active"),
    N_("pass.status.paused"),
    N_("pass.status.cancelled"),
    N_("pass.status.ended"),
    N_("pass.action.sold"),
    N_("pass.action.used"),
    N_("pass.action.paused"),
    N_("pass.action.resumed"),
    N_("pass.action.cancelled"),
    N_("cli.pass.refund_rule.none"),
    N_("cli.pass.refund_rule.pro_rata"),
)
ACTIONS = ("sell", "use", "pause", "resume", "cancel")


def add_commands(command: Command) -> None:
    """Register `pass` and its actions with main's `command(name, help, sub)` helper."""
    top = command("pass", "subscription passes (구독권): plans, sell, use, pause, cancel")
    sub = top.add_subparsers(dest="action", metavar="ACTION", parser_class=type(top), required=True)
    command("plans", "the plans of the program in force", sub)
    p = command("sell", "sell a pass of a plan (paid at the POS)", sub)
    p.add_argument("who")
    p.add_argument("--plan", required=True, metavar="CODE", help="the plan's code")
    p.add_argument("--ref", help="the POS's payment reference")
    p = command("use", "use today's entitlement", sub)
    p.add_argument("who")
    p.add_argument("--plan", metavar="CODE", help="the plan (needed with two passes)")
    for name, text in (("pause", "pause from today"), ("resume", "resume a paused pass")):
        p = command(name, text, sub)
        p.add_argument("who")
        p.add_argument("--plan", metavar="CODE", help="the plan (needed with two passes)")
    p = command("cancel", "cancel a pass; refunded as its plan says", sub)
    p.add_argument("who")
    p.add_argument("--plan", metavar="CODE", help="the plan (needed with two passes)")
    p.add_argument("--ref", help="the POS's reference of the refund")
    command("show", "a member's passes", sub).add_argument("who")
    p = command("report", "active passes, new and lapsed by month, use rate, breakage", sub)
    p.add_argument("--first", metavar="YYYY-MM", help="first month (default: the last)")
    p.add_argument("--last", metavar="YYYY-MM", help="last month (default: this month)")


def run(ctx: Any, key: str, args: argparse.Namespace) -> WordsAndData:
    from app.services import passes
    from app.services.customers import resolve_customer

    lang = getattr(args, "lang", None) or default_language()
    if key == "pass plans":
        found = passes.plans(ctx)
        lines = [plan_line(lang, p) for p in found] or [translate(lang, "cli.pass.no_plans")]
        return WordsAndData({"plans": [p.to_json() for p in found]}, "\n".join(lines))
    if key == "pass report":
        return _report(passes.pass_report(ctx, args.first, args.last), lang)
    who = resolve_customer(ctx, args.who)
    if key == "pass show":
        views = passes.member_passes(ctx, who)
        lines = [view_line(lang, v) for v in views] or [translate(lang, "pass.none")]
        return WordsAndData({"passes": [v.to_json() for v in views]}, "\n".join(lines))
    action = key.removeprefix("pass ")
    if action == "sell":
        result = passes.sell(ctx, who, args.plan, ref=args.ref)
    elif action == "cancel":
        result = passes.cancel(ctx, who, args.plan, ref=args.ref)
    elif action in ACTIONS:
        result = getattr(passes, action)(ctx, who, args.plan)
    else:
        raise Refused("cli.usage", detail=f"unknown command: {key}")
    lines = [
        translate(lang, f"pass.action.{result.action}", plan=result.view.plan_name),
        view_line(lang, result.view),
    ]
    if result.action == "cancelled":
        lines.append(translate(lang, "cli.pass.refund", won=f"{result.refund:,}"))
    return WordsAndData(result.to_json(), "\n".join(lines))


def benefit_words(lang: str, benefit: str, percent: int, items: tuple[str, ...]) -> str:
    names = ", ".join(items)
    if benefit == "free_item":
        return translate(lang, "cli.pass.free_item", items=names)
    if items:
        return translate(lang, "cli.pass.percent_off_items", percent=percent, items=names)
    return translate(lang, "cli.pass.percent_off", percent=percent)


def hours_words(lang: str, hours: tuple[int, int] | None) -> str:
    if hours is None:
        return translate(lang, "cli.pass.all_day")
    return translate(lang, "cli.pass.hours", start=hours[0], end=hours[1])


def plan_line(lang: str, plan: Any) -> str:
    return translate(
        lang,
        "cli.pass.plan",
        code=plan.code,
        name=plan.name,
        won=f"{plan.price:,}",
        days=plan.days,
        benefit=benefit_words(lang, plan.benefit, plan.percent, plan.items),
        n=plan.uses_per_day,
        hours=hours_words(lang, plan.hours),
        refund=translate(lang, f"cli.pass.refund_rule.{plan.refund}"),
    )


def view_line(lang: str, view: Any) -> str:
    return translate(
        lang,
        "cli.pass.view",
        name=view.plan_name,
        status=translate(lang, f"pass.status.{view.status}"),
        start=view.start.isoformat(),
        end=view.end.isoformat(),
        used=view.uses_today,
        n=view.uses_per_day,
    )


def _report(report: Any, lang: str) -> WordsAndData:
    lines = [
        translate(
            lang,
            "cli.pass.report",
            active=report.active,
            paused=report.paused,
            rate=str(report.use_rate),
            breakage=report.breakage,
            breakage_won=f"{report.breakage_won:,}",
            won=f"{report.revenue:,}",
        )
    ]
    for m in report.months:
        lines.append(
            translate(
                lang,
                "cli.pass.report_month",
                month=m.month,
                new=m.new,
                lapsed=m.lapsed,
                uses=m.uses,
                won=f"{m.revenue:,}",
            )
        )
    return WordsAndData(report.to_json(), "\n".join(lines))
