"""`dangol segment …`, `dangol experiment …`, `dangol kpi` (issue 19): the segments with their
members and spend, the owner's segments and coupons to a segment, experiments (create, list,
report with Fisher's exact test) and the KPIs of a month against the month before."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from app.cli.render import WordsAndData
from app.domain.errors import Refused
from app.domain.money import format_figure, format_won
from app.i18n import N_, default_language, translate

Command = Callable[..., argparse.ArgumentParser]

WORDS = (
    N_("segment.rfm.champions"),
    N_("segment.rfm.potential"),
    N_("segment.rfm.new"),
    N_("segment.rfm.attention"),
    N_("segment.rfm.at_risk"),
    N_("segment.rfm.dormant"),
    N_("experiment.verdict.too_small"),
    N_("experiment.verdict.different"),
    N_("experiment.verdict.no_difference"),
    N_("experiment.status.planned"),
    N_("experiment.status.running"),
    N_("experiment.status.ended"),
    N_("kpi.members"),
    N_("kpi.active_members"),
    N_("kpi.points_issued"),
    N_("kpi.redemption_rate"),
    N_("kpi.retention"),
    N_("kpi.average_purchase"),
    N_("kpi.nps"),
    # chosen at run time
    N_("cli.segment.line"),
    N_("cli.segment.owner_line"),
    N_("cli.experiment.returned"),
    N_("cli.experiment.redeemed"),
    N_("cli.lunar.on"),
    N_("cli.lunar.off"),
)


HELP_KEYS = (
    N_("cli.help.opt.segment.save.name"),
    N_("cli.help.opt.experiment.create.name"),
    N_("cli.help.opt.experiment.report.ref"),
    N_("cli.help.segment"),
    N_("cli.help.segment.list"),
    N_("cli.help.opt.segment.list.refresh"),
    N_("cli.help.segment.save"),
    N_("cli.help.opt.segment.save.tier"),
    N_("cli.help.opt.segment.save.visited_within"),
    N_("cli.help.opt.segment.save.away_days"),
    N_("cli.help.opt.segment.save.birthday_month"),
    N_("cli.help.opt.segment.save.min_spend"),
    N_("cli.help.opt.segment.save.rfm"),
    N_("cli.help.opt.segment.save.pass_holder"),
    N_("cli.help.segment.coupons"),
    N_("cli.help.opt.segment.coupons.name"),
    N_("cli.help.opt.segment.coupons.kind"),
    N_("cli.help.opt.segment.coupons.value"),
    N_("cli.help.opt.segment.coupons.days"),
    N_("cli.help.experiment"),
    N_("cli.help.experiment.create"),
    N_("cli.help.opt.experiment.create.kind"),
    N_("cli.help.opt.experiment.create.start"),
    N_("cli.help.opt.experiment.create.end"),
    N_("cli.help.opt.experiment.create.design"),
    N_("cli.help.opt.experiment.create.percent"),
    N_("cli.help.opt.experiment.create.coupon_kind"),
    N_("cli.help.opt.experiment.create.coupon_value"),
    N_("cli.help.opt.experiment.create.coupon_days"),
    N_("cli.help.opt.experiment.create.b_coupon_value"),
    N_("cli.help.opt.experiment.create.campaign_multiplier"),
    N_("cli.help.opt.experiment.create.campaign_bonus"),
    N_("cli.help.opt.experiment.create.b_campaign_multiplier"),
    N_("cli.help.opt.experiment.create.b_campaign_bonus"),
    N_("cli.help.opt.experiment.create.stamp_goal"),
    N_("cli.help.opt.experiment.create.b_stamp_goal"),
    N_("cli.help.experiment.list"),
    N_("cli.help.experiment.report"),
    N_("cli.help.kpi"),
    N_("cli.help.opt.kpi.month"),
    N_("cli.help.opt.kpi.csv"),
    N_("cli.help.lunar_birthday"),
    N_("cli.help.opt.lunar_birthday.off"),
)


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"invalid date: {text}") from exc


def _audience_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--tier", help="only members of this tier (its code)")
    p.add_argument("--visited-within", type=int, metavar="DAYS", help="visited in these days")
    p.add_argument("--away-days", type=int, metavar="DAYS", help="not seen for these days")
    p.add_argument("--birthday-month", type=int, metavar="MONTH", help="born in this month")
    p.add_argument("--min-spend", type=int, metavar="WON", help="spent this much in a year")
    p.add_argument("--rfm", metavar="SEGMENT", help="an RFM segment (champions, dormant, …)")
    p.add_argument(
        "--pass-holder",
        nargs="?",
        const="",
        metavar="PLAN",
        help="holding an open pass today (of this plan code, else of any plan)",
    )


def add_commands(command: Command) -> None:
    """Register `segment`, `experiment` and `kpi` with main's `command(name, help, sub)`."""
    top = command("segment", "RFM segments and the owner's own")
    sub = top.add_subparsers(dest="action", metavar="ACTION", parser_class=type(top), required=True)
    p = command("list", "the RFM segments and the owner's, with members and spend", sub)
    p.add_argument("--refresh", action="store_true", help="compute the RFM scores first")
    p = command("save", "keep a named segment of rules (the same name replaces it)", sub)
    p.add_argument("name", help="the segment's name")
    _audience_options(p)
    p = command("coupons", "a coupon to every member of a segment", sub)
    p.add_argument("name", help="an RFM segment code or the owner's segment name")
    p.add_argument("--kind", choices=["amount", "percent", "item"], required=True)
    p.add_argument("--value", type=int, required=True)
    p.add_argument("--days", type=int, required=True)

    top = command("experiment", "an offer tested against a holdout or a second variant")
    sub = top.add_subparsers(dest="action", metavar="ACTION", parser_class=type(top), required=True)
    p = command("create", "start an experiment (a coupon offer is issued to its group now)", sub)
    p.add_argument("name", help="the experiment's name")
    p.add_argument("--kind", required=True, choices=["coupon", "campaign", "stamp_goal", "message"])
    p.add_argument("--start", type=_day, required=True, metavar="YYYY-MM-DD")
    p.add_argument("--end", type=_day, required=True, metavar="YYYY-MM-DD")
    p.add_argument("--design", choices=["holdout", "variant"], default="holdout")
    p.add_argument("--percent", type=int, default=50, help="share of members in group A (percent)")
    p.add_argument("--coupon-kind", choices=["amount", "percent", "item"], help="A's coupon")
    p.add_argument("--coupon-value", type=int, help="A's coupon value")
    p.add_argument("--coupon-days", type=int, default=14, help="days the coupons are valid")
    p.add_argument("--b-coupon-value", type=int, help="the variant's coupon (group B)")
    p.add_argument("--campaign-multiplier", metavar="X", help="A's campaign: points times X (> 1)")
    p.add_argument(
        "--campaign-bonus", type=int, metavar="POINTS", help="A's campaign: bonus points"
    )
    p.add_argument("--b-campaign-multiplier", metavar="X", help="the variant's multiplier (B)")
    p.add_argument("--b-campaign-bonus", type=int, metavar="POINTS", help="the variant's bonus (B)")
    p.add_argument("--stamp-goal", type=int, metavar="N", help="A's new cards need N stamps")
    p.add_argument("--b-stamp-goal", type=int, metavar="N", help="the variant's stamp goal (B)")
    command("list", "every experiment and where it stands", sub)
    command("report", "the outcome by group, with Fisher's exact test", sub).add_argument(
        "ref", metavar="NAME_OR_ID", help="the experiment's name or id"
    )

    p = command("kpi", "the KPIs of a month against the month before")
    p.add_argument("--month", metavar="YYYY-MM", help="the month (default: this one)")
    p.add_argument("--csv", type=Path, metavar="FILE", help="also write them to a CSV file")

    p = command("lunar-birthday", "keep a member's birthday by the lunar calendar")
    p.add_argument("who")
    p.add_argument("--off", action="store_true", help="back to the solar calendar")


def _audience(args: argparse.Namespace) -> Any:
    from app.services.announcements import Audience

    return Audience(
        tier=args.tier,
        visited_within_days=args.visited_within,
        away_days=args.away_days,
        birthday_month=args.birthday_month,
        min_spend=args.min_spend,
        rfm_segment=args.rfm,
        pass_holder=args.pass_holder is not None,
        pass_plan=args.pass_holder or None,
    )


def audience_by_name(ctx: Any, name: str) -> Any:
    """An RFM segment code, else the owner's segment of that name."""
    from app.domain import rfm
    from app.services import segments
    from app.services.announcements import Audience

    if name in rfm.SEGMENTS:
        return Audience(rfm_segment=name)
    return segments.owner_audience(ctx, name)


def _segment_name(line: Any, lang: str) -> str:
    return translate(lang, f"segment.rfm.{line.code}") if line.kind == "rfm" else line.code


def run(ctx: Any, key: str, args: argparse.Namespace) -> WordsAndData:
    lang = getattr(args, "lang", None) or default_language()
    if key == "segment list":
        return _segment_list(ctx, args, lang)
    if key == "segment save":
        return _segment_save(ctx, args, lang)
    if key == "segment coupons":
        return _segment_coupons(ctx, args, lang)
    if key == "experiment create":
        return _experiment_create(ctx, args, lang)
    if key == "experiment list":
        return _experiment_list(ctx, lang)
    if key == "experiment report":
        return _experiment_report(ctx, args, lang)
    if key == "kpi":
        return _kpi(ctx, args, lang)
    if key == "lunar-birthday":
        return _lunar(ctx, args, lang)
    raise Refused("cli.usage", detail=f"unknown command: {key}")


def _segment_list(ctx: Any, args: argparse.Namespace, lang: str) -> WordsAndData:
    from app.services import segments

    if args.refresh:
        segments.refresh_rfm(ctx)
    overview = segments.rfm_overview(ctx)
    lines = segments.list_segments(ctx)
    data = {
        "computed_on": overview.computed_on,
        "scored": overview.scored,
        "unscored": overview.unscored,
        "segments": [
            {
                "kind": line.kind,
                "code": line.code,
                "members": line.members,
                "spend_won": line.spend,
                "rules": line.rules,
            }
            for line in lines
        ],
        "grid": [
            {"r": c.r, "f": c.f, "members": c.members, "spend_won": c.spend} for c in overview.grid
        ],
    }
    text = [
        translate(
            lang,
            "cli.segment.head",
            day=overview.computed_on or translate(lang, "cli.segment.never"),
            scored=f"{overview.scored:,}",
            unscored=f"{overview.unscored:,}",
        )
    ]
    for line in lines:
        key = "cli.segment.line" if line.kind == "rfm" else "cli.segment.owner_line"
        text.append(
            translate(
                lang,
                key,
                name=_segment_name(line, lang),
                members=f"{line.members:,}",
                spend=format_won(line.spend, lang),
            )
        )
    return WordsAndData(data, "\n".join(text))


def _segment_save(ctx: Any, args: argparse.Namespace, lang: str) -> WordsAndData:
    from app.services import segments

    line = segments.save_segment(ctx, args.name, _audience(args))
    data = {"name": line.code, "members": line.members, "rules": line.rules, "id": str(line.id)}
    return WordsAndData(
        data, translate(lang, "cli.segment.saved", name=line.code, members=f"{line.members:,}")
    )


def _segment_coupons(ctx: Any, args: argparse.Namespace, lang: str) -> WordsAndData:
    from app.services import segments

    audience = audience_by_name(ctx, args.name)
    done = segments.issue_segment_coupons(ctx, audience, args.kind, args.value, args.days)
    return WordsAndData(
        {"segment": args.name, "coupons": done.issued},
        translate(lang, "cli.segment.coupons", n=f"{done.issued:,}", name=args.name),
    )


def _experiment_json(line: Any) -> dict[str, Any]:
    return {
        "id": str(line.id),
        "name": line.name,
        "kind": line.kind,
        "design": line.design,
        "treatment_percent": line.treatment_percent,
        "start": line.start.isoformat(),
        "end": line.end.isoformat(),
        "status": line.status,
        "offer": line.offer,
    }


def _experiment_line(line: Any, lang: str) -> str:
    return translate(
        lang,
        "cli.experiment.line",
        name=line.name,
        start=line.start.isoformat(),
        end=line.end.isoformat(),
        status=translate(lang, f"experiment.status.{line.status}"),
        percent=line.treatment_percent,
    )


def _campaign_offer(multiplier: str | None, bonus: int | None) -> Any:
    """A group's campaign from its flags (None: no campaign flags for that group)."""
    from app.domain.experiments import check_campaign_offer

    if multiplier is None and bonus is None:
        return None
    try:
        times = Decimal(multiplier) if multiplier is not None else None
    except ArithmeticError:
        times = Decimal(0)  # not a number: refused as a multiplier out of range
    if times is not None and not times.is_finite():
        times = Decimal(0)
    return check_campaign_offer(times, bonus)


def _experiment_create(ctx: Any, args: argparse.Namespace, lang: str) -> WordsAndData:
    from app.services import experiments

    coupon = coupon_b = None
    if args.coupon_kind is not None or args.coupon_value is not None:
        if args.coupon_kind is None or args.coupon_value is None:
            raise Refused("experiment.coupon_both")
        coupon = experiments.CouponOffer(args.coupon_kind, args.coupon_value, args.coupon_days)
        if args.b_coupon_value is not None:
            coupon_b = experiments.CouponOffer(
                args.coupon_kind, args.b_coupon_value, args.coupon_days
            )
    line = experiments.create_experiment(
        ctx,
        args.name,
        args.kind,
        args.start,
        args.end,
        design=args.design,
        treatment_percent=args.percent,
        coupon=coupon,
        coupon_b=coupon_b,
        campaign=_campaign_offer(args.campaign_multiplier, args.campaign_bonus),
        campaign_b=_campaign_offer(args.b_campaign_multiplier, args.b_campaign_bonus),
        stamp_goal=args.stamp_goal,
        stamp_goal_b=args.b_stamp_goal,
    )
    data = {**_experiment_json(line), "coupons_issued": line.coupons_issued}
    text = translate(lang, "cli.experiment.created", name=line.name, coupons=line.coupons_issued)
    return WordsAndData(data, text + "\n" + _experiment_line(line, lang))


def _experiment_list(ctx: Any, lang: str) -> WordsAndData:
    from app.services import experiments

    lines = experiments.list_experiments(ctx)
    text = [_experiment_line(line, lang) for line in lines] or [
        translate(lang, "cli.experiment.none")
    ]
    return WordsAndData({"experiments": [_experiment_json(x) for x in lines]}, "\n".join(text))


def _comparison_json(c: Any) -> dict[str, Any]:
    return {
        "a_members": c.treated,
        "a_hits": c.treated_hits,
        "b_members": c.control,
        "b_hits": c.control_hits,
        "difference_points": round(c.difference_points, 2),
        "p_value": round(c.p_value, 6),
        "verdict": c.verdict,
    }


def _experiment_report(ctx: Any, args: argparse.Namespace, lang: str) -> WordsAndData:
    from app.services import experiments

    report = experiments.experiment_report(ctx, args.ref)
    data = {
        **_experiment_json(report.experiment),
        "groups": [
            {
                "group": g.group,
                "members": g.members,
                "returned": g.returned,
                "spend_won": g.spend,
                "spend_per_member_won": g.spend_per_member,
                "redeemed": g.redeemed,
            }
            for g in report.groups
        ],
        "returned": _comparison_json(report.returned),
        "redeemed": _comparison_json(report.redeemed),
    }
    text = [_experiment_line(report.experiment, lang)]
    for g in report.groups:
        text.append(
            translate(
                lang,
                "cli.experiment.group",
                group=g.group,
                members=f"{g.members:,}",
                returned=f"{g.returned:,}",
                spend=format_won(g.spend_per_member, lang),
                redeemed=f"{g.redeemed:,}",
            )
        )
    for what, c in (("returned", report.returned), ("redeemed", report.redeemed)):
        text.append(
            translate(
                lang,
                f"cli.experiment.{what}",
                diff=f"{c.difference_points:+.1f}",
                p=f"{c.p_value:.4f}",
                verdict=translate(lang, f"experiment.verdict.{c.verdict}"),
            )
        )
    return WordsAndData(data, "\n".join(text))


def _number(value: Any, unit: str) -> str:
    return format_figure(value, unit, format_won)


def kpi_change(kpi: Any) -> str:
    """The month-over-month change as the page and the CLI write it."""
    change = kpi.change
    if change is None:
        return "—"
    if kpi.unit == "rate":
        return f"{Decimal(change) * 100:+.1f}%p"
    if kpi.unit == "score":
        return f"{int(change):+d}"
    percent = kpi.change_percent
    return f"{int(change):+,}" + (f" ({percent:+}%)" if percent is not None else "")


def kpi_value(value: Any, unit: str) -> str:
    return _number(value, unit)


def _kpi(ctx: Any, args: argparse.Namespace, lang: str) -> WordsAndData:
    from app.services import kpis

    board = kpis.kpi_board(ctx, args.month)
    data: dict[str, Any] = {
        "month": board.month,
        "previous_month": board.previous_month,
        "kpis": [
            {
                "key": k.key,
                "unit": k.unit,
                "value": None
                if k.value is None
                else (float(k.value) if k.unit == "rate" else int(k.value)),
                "previous": None
                if k.previous is None
                else (float(k.previous) if k.unit == "rate" else int(k.previous)),
            }
            for k in board.kpis
        ],
    }
    text = [translate(lang, "cli.kpi.head", month=board.month, previous=board.previous_month)]
    for k in board.kpis:
        text.append(
            translate(
                lang,
                "cli.kpi.line",
                name=translate(lang, f"kpi.{k.key}"),
                value=_number(k.value, k.unit),
                previous=_number(k.previous, k.unit),
                change=kpi_change(k),
            )
        )
    if args.csv is not None:
        if args.csv.exists():
            raise Refused("file.exists", path=str(args.csv))
        kpis.export_kpis_csv(ctx, board.month, args.csv, language=lang)
        data["file"] = str(args.csv)
        text.append(translate(lang, "cli.kpi.written", file=str(args.csv)))
    return WordsAndData(data, "\n".join(text))


def _lunar(ctx: Any, args: argparse.Namespace, lang: str) -> WordsAndData:
    from app.services import birthdays
    from app.services.customers import resolve_customer

    option = birthdays.set_lunar_birthday(ctx, resolve_customer(ctx, args.who), not args.off)
    day = option.this_year.isoformat() if option.this_year else "—"
    key = "cli.lunar.on" if option.lunar else "cli.lunar.off"
    return WordsAndData(
        {"member_id": str(option.customer_id), "lunar": option.lunar, "this_year": day},
        translate(lang, key, day=day),
    )
