"""End to end on the default sample market: the marts recover every planted truth.

One run of the whole graph (the session fixture `sample_warehouse` of conftest.py) on the
synthetic market; the generator measured what it planted into planted_truths.json with
pandas, by the definitions of ../shared/spec/metrics.md. The marts must find the same
numbers from the warehouse, point in time, to the precision stated in each test.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import duckdb
import pytest

from tests.conftest import REPO, SHARED, pipeline_env

# marts.md, and the tables marts-next.md adds to the contract once built (issue #19: built).
MARTS_SPECS = (SHARED / "spec" / "marts.md", SHARED / "spec" / "marts-next.md")
LEAD_OWNED = {"quality_results"}  # written by the quality gates, not by dbt


@pytest.fixture(scope="module")
def sample_wh(sample_warehouse: Path) -> Path:
    return sample_warehouse


@pytest.fixture(scope="module")
def con(sample_wh: Path):
    connection = duckdb.connect(str(sample_wh / "warehouse.duckdb"), read_only=True)
    yield connection
    connection.close()


@pytest.fixture(scope="module")
def truths(sample_wh: Path) -> dict:
    from pipelines.config import load_settings
    from pipelines.sources.sample.source import truths_path

    path = Path(truths_path(load_settings(pipeline_env(sample_wh))))
    return json.loads(path.read_text())


def one(con, sql: str, *params):
    rows = con.execute(sql, list(params)).fetchall()
    assert len(rows) == 1, f"{sql} gave {len(rows)} rows"
    return rows[0]


def claims(con, view: str) -> dict[str, tuple]:
    return {
        claim: (verdict, value, json.loads(detail))
        for claim, verdict, value, detail in con.execute(
            "SELECT claim_id, verdict, value, detail FROM marts.claims_audit WHERE audit_view = ?", [view]
        ).fetchall()
    }


def spec_tables() -> dict[str, list[str]]:
    """table -> columns, from the contract tables of marts.md and marts-next.md."""
    tables = {}
    for line in "\n".join(p.read_text() for p in MARTS_SPECS).splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 3 and re.fullmatch(r"[a-z_0-9]+", cells[0]) and cells[0] != "table":
            tables[cells[0]] = [c.strip() for c in re.sub(r"\(.*?\)", "", cells[2]).split(",")]
    return tables


# ---------------------------------------------------------------------------------------
# The contract of marts.md
# ---------------------------------------------------------------------------------------


def test_every_mart_and_column_of_the_contract_exists_and_is_documented(con):
    spec = spec_tables()
    assert len(spec) == 18 + 5
    manifest = json.loads((REPO / "dbt_project" / "target" / "manifest.json").read_text())
    models = {n["name"]: n for n in manifest["nodes"].values() if n["resource_type"] == "model"}
    for table, columns in spec.items():
        if table in LEAD_OWNED:
            continue
        have = {
            r[0]
            for r in con.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_schema = 'marts' AND table_name = ?",
                [table],
            ).fetchall()
        }
        assert set(columns) <= have, f"marts.{table} lacks {set(columns) - have}"
        node = models[table]
        assert node["config"]["contract"]["enforced"], table
        assert len(node["description"]) > 40, table
        for column in have:
            documented = node["columns"].get(column)
            assert documented and documented["description"] and documented["data_type"], f"{table}.{column}"


def test_marts_are_a_group_of_the_asset_graph_with_dbt_descriptions():
    import dagster as dg

    from pipelines.definitions import defs

    graph = defs.resolve_asset_graph()
    for table in set(spec_tables()) - LEAD_OWNED:
        node = graph.get(dg.AssetKey(["marts", table]))
        assert node.group_name == "marts", table
        assert node.description and "Grain" in node.description, table


# ---------------------------------------------------------------------------------------
# The planted truths
# ---------------------------------------------------------------------------------------


def test_five_day_surge_and_its_date(con, truths):
    planted = truths["surge_5d"]
    verdict, value, detail = claims(con, "article_date")["surge_5d"]
    assert verdict == "supported"
    assert detail["best_end_date"] == planted["end_date"]
    assert value == pytest.approx(planted["return"], abs=1e-12)
    # The same number in the daily mart, the only surge in the 30 days before the audit date.
    rows = con.execute(
        "SELECT date, return_5d FROM marts.benchmark_daily WHERE role = 'small' AND is_surge "
        "AND date BETWEEN DATE '2025-12-09' - 30 AND DATE '2025-12-09'"
    ).fetchall()
    assert [(d.isoformat(), pytest.approx(r, abs=1e-12)) for d, r in rows] == [
        (planted["end_date"], pytest.approx(planted["return"], abs=1e-12))
    ]


def test_ytd_lag_at_the_audit_date(con, truths):
    planted = truths["ytd_at_audit"]
    small, large = (
        one(con, "SELECT ytd_return FROM marts.benchmark_daily WHERE role = ? AND date = DATE '2025-12-09'", role)[0]
        for role in ("small", "large")
    )
    assert small == pytest.approx(planted["small"], abs=1e-12)
    assert large == pytest.approx(planted["large"], abs=1e-12)
    verdict, value, _ = claims(con, "article_date")["ytd_lag"]
    assert (verdict, value) == ("supported", pytest.approx(planted["spread"], abs=1e-12))


def test_loss_maker_share_point_in_time(con, truths):
    planted = truths["share_unprofitable_at_audit"]
    row = one(
        con,
        "SELECT constituents, with_data, unprofitable, share_unprofitable FROM marts.profitability "
        "WHERE index_role = 'small' AND sector = 'ALL' AND as_of_date = DATE '2025-12-09'",
    )
    assert row[:3] == (planted["constituents"], planted["with_data"], planted["unprofitable"])
    assert row[3] == pytest.approx(planted["share"], abs=1e-12)
    large = truths["share_unprofitable_large_at_audit"]
    row = one(
        con,
        "SELECT constituents, with_data, unprofitable FROM marts.profitability "
        "WHERE index_role = 'large' AND sector = 'ALL' AND as_of_date = DATE '2025-12-09'",
    )
    assert row == (large["constituents"], large["with_data"], large["unprofitable"])
    # Sectors add up to the whole index.
    total = one(
        con,
        "SELECT sum(constituents), sum(with_data), sum(unprofitable) FROM marts.profitability "
        "WHERE index_role = 'small' AND sector <> 'ALL' AND as_of_date = DATE '2025-12-09'",
    )
    assert total == (planted["constituents"], planted["with_data"], planted["unprofitable"])
    assert claims(con, "article_date")["unprofitable_40pct"][0] == "supported"


def test_27_of_29_funds_lost_and_the_worst_one(con, truths):
    planted = truths["funds_ytd_at_audit"]
    row = one(
        con,
        "SELECT funds_tracked, funds_with_loss, worst_fund_id, worst_return, median_return "
        "FROM marts.fund_scorecard WHERE period = 'YTD' AND as_of_date = DATE '2025-12-09'",
    )
    assert row[:3] == (planted["funds_tracked"], planted["funds_with_loss"], planted["worst_fund_id"])
    assert (row[0], row[1]) == (29, 27)
    assert row[3] == pytest.approx(planted["worst_return"], abs=1e-12)
    assert row[4] == pytest.approx(planted["median_return"], abs=1e-12)
    verdict, value, _ = claims(con, "article_date")["funds_27_of_29_losses"]
    assert (verdict, value) == ("supported", pytest.approx(27 / 29))


def test_fund_returns_are_nav_plus_distributions_on_one_basis(con):
    """The sample's funds all have distributions: one basis, NAV + distributions, which the
    adjusted NAV agrees with (none set aside); in a year with a December capital gain the
    NAV-only return is lower than the shareholder's."""
    card = one(
        con,
        "SELECT return_basis, funds_total_return_distributions, funds_adjusted_close, funds_nav_only, "
        "funds_adjusted_set_aside FROM marts.fund_scorecard "
        "WHERE period = 'YTD' AND as_of_date = DATE '2025-12-09'",
    )
    assert card == ("total_return_distributions", 29, 0, 0, 0)
    rows = con.execute(
        "SELECT return_basis, total_return, nav_return, adjusted_close_return, adjusted_series_flag "
        "FROM marts.fund_returns WHERE period = 'CY2024'"
    ).fetchall()
    assert len(rows) == 29
    for basis, total, nav, adjusted, flag in rows:
        assert (basis, flag) == ("total_return_distributions", None)
        assert nav < total and total == pytest.approx(adjusted, abs=2e-3)
    detail = claims(con, "article_date")["funds_27_of_29_losses"][2]
    assert detail["return_basis"] == "total_return_distributions" and detail["funds_nav_only"] == 0


def test_fund_loss_claim_is_insufficient_data_when_the_bases_are_mixed(sample_wh, tmp_path):
    """Three funds without their distributions fall back to their adjusted NAV: the YTD losses
    would be counted over two bases, so the 27-of-29 claim gives no verdict."""
    import shutil

    from pipelines.config import load_settings
    from tests.conftest import run_dbt

    wh = tmp_path / "wh"
    wh.mkdir()
    shutil.copyfile(sample_wh / "warehouse.duckdb", wh / "warehouse.duckdb")
    with duckdb.connect(str(wh / "warehouse.duckdb")) as rw:
        dropped = [
            r[0]
            for r in rw.execute(
                "SELECT DISTINCT fund_id FROM raw.fund_distributions ORDER BY fund_id LIMIT 3"
            ).fetchall()
        ]
        rw.execute("DELETE FROM raw.fund_distributions WHERE fund_id IN (SELECT unnest(?))", [dropped])
    run_dbt(
        wh,
        "run",
        "--select",
        "int_fund_total_return+",
        "--exclude",
        "config.materialized:incremental",
        "--vars",
        json.dumps(load_settings({}).dbt_vars()),
        "--target-path",
        str(tmp_path / "target"),
    )
    with duckdb.connect(str(wh / "warehouse.duckdb"), read_only=True) as mixed:
        verdict, detail = one(
            mixed,
            "SELECT verdict, detail FROM marts.claims_audit WHERE claim_id = "
            "'funds_27_of_29_losses' AND audit_view = 'article_date'",
        )
        bases = dict(
            mixed.execute("SELECT fund_id, return_basis FROM marts.fund_returns WHERE period = 'YTD'").fetchall()
        )
    assert verdict == "insufficient_data"
    detail = json.loads(detail)
    assert (detail["return_basis"], detail["funds_total_return_distributions"], detail["funds_adjusted_close"]) == (
        "mixed",
        26,
        3,
    )
    assert {f for f, b in bases.items() if b == "adjusted_close"} == set(dropped)


def test_rally_week_and_the_rally_trigger(con, truths):
    planted = truths["rally_week"]
    rows = con.execute(
        "SELECT week_end_date, wow_return FROM marts.benchmark_weekly WHERE role = 'small' AND wow_return >= 0.10"
    ).fetchall()
    assert [(d.isoformat(), pytest.approx(r, abs=1e-12)) for d, r in rows] == [
        (planted["week_end_date"], pytest.approx(planted["wow_return"], abs=1e-12))
    ]
    status, detail = one(
        con,
        "SELECT status, detail FROM marts.triggers WHERE trigger_id = 'rally_10pct_wow' "
        "AND as_of_date = (SELECT max(as_of_date) FROM marts.triggers)",
    )
    assert status == ("met" if planted["sustained"] else "not_met")
    assert json.loads(detail)["best_week_end_date"] == planted["week_end_date"]
    # Point in time: at the audit date the rally had not happened.
    assert (
        one(
            con,
            "SELECT status FROM marts.triggers WHERE trigger_id = 'rally_10pct_wow' AND as_of_date = DATE '2025-12-09'",
        )[0]
        == "not_met"
    )


def test_policy_decisions_and_the_cut_in_the_window(con, truths):
    got = con.execute(
        "SELECT effective_date, upper_before, upper_after, change_bp FROM marts.policy_decisions "
        "ORDER BY effective_date"
    ).fetchall()
    assert [(d.isoformat(), b, a, float(bp)) for d, b, a, bp in got] == [
        (p["effective_date"], p["upper_before"], p["upper_after"], p["change_bp"]) for p in truths["policy_decisions"]
    ]
    cut = truths["fed_cut_in_window"]
    status, value, detail = one(
        con,
        "SELECT status, value, detail FROM marts.triggers "
        "WHERE trigger_id = 'fed_cut_by_deadline' AND as_of_date = DATE '2026-03-31'",
    )
    assert (status, value) == ("met", cut["change_bp"])
    assert json.loads(detail)["first_cut_date"] == cut["effective_date"]
    # The sample has DFEDTARL: every lower bound is observed, none derived.
    assert one(con, "SELECT count(*) FILTER (WHERE lower_derived) FROM marts.policy_decisions")[0] == 0
    assert (
        one(
            con,
            "SELECT status FROM marts.triggers WHERE trigger_id = 'fed_cut_by_deadline' "
            "AND as_of_date = DATE '2025-12-09'",
        )[0]
        == "pending"
    )


def test_calendar_year_returns_and_dominance_streak(con, truths):
    got = {
        str(year): (small_return, large_return)
        for year, small_return, large_return in con.execute(
            "SELECT year, small_return, large_return FROM marts.calendar_year_returns"
        ).fetchall()
    }
    planted = truths["calendar_year_returns"]
    assert sorted(got) == sorted(planted)
    for year, returns in planted.items():
        assert got[year] == (pytest.approx(returns["small"], abs=1e-12), pytest.approx(returns["large"], abs=1e-12))
    streak = truths["dominance_streak"]
    row = one(
        con,
        "SELECT current_streak, longest_streak FROM marts.dominance_streak "
        "WHERE as_of_year = (SELECT max(as_of_year) FROM marts.dominance_streak)",
    )
    assert row == (streak["current"], streak["longest"])
    # As of the article date the latest complete year is the one before: one year shorter.
    verdict, value, detail = claims(con, "article_date")["large_cap_dominance_14y"]
    assert (verdict, value) == ("contradicted", streak["current"] - 1)
    assert detail["relative_strength_peak_date"] is not None


def test_same_company_eps_growth_by_calendar_quarter(con, truths):
    got = dict(
        con.execute(
            "SELECT calendar_quarter, aggregate_growth FROM marts.eps_growth WHERE index_role = 'small'"
        ).fetchall()
    )
    for quarter, growth in truths["eps_growth_small"].items():
        assert quarter in got, quarter
        if growth is None:
            assert got[quarter] is None, quarter
        else:
            assert got[quarter] == pytest.approx(growth, abs=1e-12), quarter
    # The planted turn: 2025Q4 growth above 15% meets the EPS trigger once reported.
    status, value = one(
        con,
        "SELECT status, value FROM marts.triggers WHERE trigger_id = 'eps_growth_15' "
        "AND as_of_date = DATE '2026-03-31'",
    )
    assert status == "met" and value == pytest.approx(truths["eps_growth_small"]["2025Q4"], abs=1e-12)
    assert (
        one(
            con,
            "SELECT status FROM marts.triggers WHERE trigger_id = 'eps_growth_15' AND as_of_date = DATE '2025-12-09'",
        )[0]
        == "pending"
    )


def test_valuation_discount_at_the_audit_date(con, truths):
    planted = truths["valuation_at_audit"]
    row = one(
        con,
        "SELECT small_value, large_value, relative, history_median, history_count "
        "FROM marts.valuation_gap WHERE method = 'pe_ex_losses' AND as_of_date = DATE '2025-12-09'",
    )
    # One company's shares differ by design (the marts take the latest quarter's share count,
    # the generator's measure the latest filing's, which may restate an older quarter).
    assert row[0] == pytest.approx(planted["small_pe_ex_losses"], rel=1e-3)
    assert row[1] == pytest.approx(planted["large_pe_ex_losses"], rel=1e-3)
    assert row[2] == pytest.approx(planted["relative"], rel=1e-3)
    assert row[3] == pytest.approx(planted["history_median"], rel=1e-3)
    assert row[4] == planted["history_points"]
    assert claims(con, "article_date")["valuation_discount"][0] == "supported"


def test_yield_sensitivity_recovers_the_planted_loadings(con, truths):
    true_beta = truths["yield_beta_true"]
    medians = dict(con.execute("SELECT subject, median(beta) FROM marts.yield_sensitivity GROUP BY subject").fetchall())
    assert medians["small"] == pytest.approx(true_beta["small"], abs=0.01)
    assert medians["large"] == pytest.approx(true_beta["large"], abs=0.01)
    assert medians["spread"] == pytest.approx(true_beta["small"] - true_beta["large"], abs=0.01)
    verdict, t_stat, detail = claims(con, "article_date")["yield_sensitivity"]
    assert verdict == "supported" and t_stat <= -2 and detail["beta"] < 0
    assert 40 <= detail["n_obs"] <= 63


def test_mna_activity_at_the_end(con, truths):
    planted = truths["mna_activity"]
    row = one(
        con,
        "SELECT deals_3m, trailing_12m_avg, status FROM marts.mna_activity "
        "WHERE month = (SELECT max(month) FROM marts.mna_activity)",
    )
    assert row == (planted["last_3_months_deals"], pytest.approx(planted["trailing_12m_avg"]), planted["status"])
    status, value = one(
        con,
        "SELECT status, value FROM marts.triggers WHERE trigger_id = 'mna_tepid' "
        "AND as_of_date = (SELECT max(as_of_date) FROM marts.triggers)",
    )
    assert status == ("met" if planted["status"] == "tepid" else "not_met")
    assert value == pytest.approx(planted["ratio"])


def test_mna_trigger_reads_the_marts_latest_complete_month(con):
    """Issue #15 point 3: the trigger and mna_activity share one set of windows. At every as-of
    date the trigger judges the latest month complete at that date (on the article's date,
    2025-12-09, November: December had eight days), with the mart's numbers for that month."""
    rows = con.execute(
        "SELECT t.as_of_date, t.status, t.value, json_extract_string(t.detail, '$.month') FROM marts.triggers t "
        "WHERE t.trigger_id = 'mna_tepid'"
    ).fetchall()
    months = {
        m.isoformat(): (d3, avg, status)
        for m, d3, avg, status in con.execute(
            "SELECT month, deals_3m, trailing_12m_avg, status FROM marts.mna_activity WHERE is_complete_month"
        ).fetchall()
    }
    last_day = dict(
        con.execute(
            "SELECT cast(date_trunc('month', date) AS date), max(date) FROM intermediate.int_trading_days GROUP BY 1"
        ).fetchall()
    )
    assert rows
    for as_of, status, value, month in rows:
        expected = max(m for m, d in last_day.items() if d <= as_of and m.isoformat() in months)
        assert month == expected.isoformat(), as_of
        deals_3m, avg, activity = months[month]
        if activity == "insufficient_data":
            assert status == "pending" and value is None
        else:
            assert status == ("met" if activity == "tepid" else "not_met"), as_of
            assert value == pytest.approx(deals_3m / (3 * avg)), as_of
    assert {r[0].isoformat(): r[3] for r in rows}["2025-12-09"] == "2025-11-01"


def test_loss_maker_bounds_over_all_members(con):
    """Issue #15 point 7: the share over members with data lies between the bounds over all
    members, and the claim (supported) holds for both bounds."""
    for lower, share, upper, constituents, with_data, unprofitable, without in con.execute(
        "SELECT share_unprofitable_lower_bound, share_unprofitable, share_unprofitable_upper_bound, "
        "constituents, with_data, unprofitable, without_data FROM marts.profitability WHERE with_data > 0"
    ).fetchall():
        assert without == constituents - with_data
        assert lower == pytest.approx(unprofitable / constituents)
        assert upper == pytest.approx((unprofitable + without) / constituents)
        assert lower <= share <= upper
    verdict, _, detail = claims(con, "article_date")["unprofitable_40pct"]
    assert verdict == "supported"
    assert 0.35 <= detail["share_unprofitable_lower_bound"] <= detail["share_unprofitable_upper_bound"] <= 0.45


# ---------------------------------------------------------------------------------------
# The audit and the board as a whole
# ---------------------------------------------------------------------------------------


def test_claims_audit_at_the_article_date_and_now(con):
    article = {k: v[0] for k, v in claims(con, "article_date").items()}
    assert article == {
        "surge_5d": "supported",
        "ytd_lag": "supported",
        "large_cap_dominance_14y": "contradicted",
        "valuation_discount": "supported",
        "unprofitable_40pct": "supported",
        "funds_27_of_29_losses": "supported",
        "yield_sensitivity": "supported",
        # The triggers lie after the article: nothing to judge on its date.
        "trigger_rally_10pct_wow": "insufficient_data",
        "trigger_eps_growth_15": "insufficient_data",
        "trigger_fed_cut_by_deadline": "insufficient_data",
        # Issue #19: the remaining checkable claims, each planted (tests below), ...
        "more_volatile": "supported",
        "liquidity_challenges": "supported",
        "universe_replenished": "supported",
        "sector_leaders": "supported",
        "correction_rebounds": "supported",
        # ... and those no free source can settle.
        "named_company_margins": "not_checkable",
        "call_options_spike": "not_checkable",
        "retail_participation": "not_checkable",
        "us_share_of_global_small_caps": "not_checkable",
    }
    latest = {k: v[0] for k, v in claims(con, "latest").items()}
    for trigger in ("trigger_rally_10pct_wow", "trigger_eps_growth_15", "trigger_fed_cut_by_deadline"):
        assert latest[trigger] == "supported", trigger
    every = con.execute("SELECT DISTINCT definition_version FROM marts.claims_audit").fetchall()
    assert every == [("2025-12-v1",)]


def test_position_signal_follows_the_rules(con):
    rows = {
        d.isoformat(): (s, r)
        for d, s, r in con.execute("SELECT as_of_date, signal, reasons FROM marts.position_signal").fetchall()
    }
    # The sustained January rally plus improving earnings: increase while the rally is recent.
    assert rows["2026-01-30"][0] == "increase"
    assert "sustained_rally_within_8w" in rows["2026-01-30"][1]
    # Every increase or reassess lists the rules behind it.
    for signal, reasons in rows.values():
        if signal != "hold":
            assert reasons != "none"
    assert {s for s, _ in rows.values()} <= {"increase", "reassess", "hold"}


@pytest.mark.parametrize("layer, at_least", [("marts", 50), ("intermediate", 40)])
def test_columns_declared_not_null_are_enforced_by_duckdb(con, layer, at_least):
    """Not-null on the marts and intermediate tables is a contract constraint: DuckDB refuses the
    NULL while dbt builds the table, so no separate not_null data test has to scan it afterwards."""
    import yaml

    declared = set()
    for path in (REPO / "dbt_project" / "models" / layer).glob("[!_]*.yml"):
        for model in yaml.safe_load(path.read_text())["models"]:
            for column in model.get("columns", []):
                if {"type": "not_null"} in column.get("constraints", []):
                    declared.add((model["name"], column["name"]))
    assert len(declared) >= at_least
    enforced = set(
        con.execute(
            "SELECT table_name, unnest(constraint_column_names) FROM duckdb_constraints() "
            "WHERE schema_name = ? AND constraint_type = 'NOT NULL'",
            [layer],
        ).fetchall()
    )
    assert declared <= enforced, sorted(declared - enforced)[:10]


# ---------------------------------------------------------------------------------------
# Issue #19: the article's remaining claims, each planted in the sample
# ---------------------------------------------------------------------------------------


def test_small_caps_more_volatile(con, truths):
    planted = truths["volatility_at_audit"]
    small, large, ratio = one(
        con, "SELECT small_vol_63d, large_vol_63d, ratio FROM marts.volatility WHERE date = DATE '2025-12-09'"
    )
    assert (small, large, ratio) == (
        pytest.approx(planted["small_vol_63d"], abs=1e-9),
        pytest.approx(planted["large_vol_63d"], abs=1e-9),
        pytest.approx(planted["ratio"], abs=1e-9),
    )
    verdict, value, detail = claims(con, "article_date")["more_volatile"]
    assert (verdict, value) == (planted["verdict"], pytest.approx(planted["ratio"], abs=1e-9))
    assert detail["share_days_above_1"] == pytest.approx(planted["share_days_above_1"], abs=1e-12)
    assert planted["verdict"] == "supported"


def test_small_caps_face_liquidity_challenges(con, truths):
    planted = truths["liquidity_at_audit"]
    for role in ("small", "large"):
        got = one(
            con,
            "SELECT members_with_volume, median_dollar_volume, median_amihud FROM marts.liquidity "
            "WHERE index_role = ? AND as_of_date = DATE '2025-12-09'",
            role,
        )
        want = planted[role]
        assert got == (
            want["members_with_volume"],
            pytest.approx(want["median_dollar_volume"], rel=1e-9),
            pytest.approx(want["median_amihud"], rel=1e-9),
        ), role
    assert claims(con, "article_date")["liquidity_challenges"][0] == planted["verdict"] == "supported"


def test_universe_changes_between_snapshots(con, truths):
    got = [
        (str(a), str(p) if p else None, m, ad, rm, mna)
        for a, p, m, ad, rm, mna in con.execute(
            "SELECT as_of_date, previous_as_of_date, members, additions, removals, removals_mna "
            "FROM marts.universe_changes WHERE index_role = 'small' AND previous_as_of_date IS NOT NULL "
            "ORDER BY as_of_date"
        ).fetchall()
    ]
    want = [
        (c["as_of_date"], c["previous_as_of_date"], c["members"], c["additions"], c["removals"], c["removals_mna"])
        for c in truths["universe_changes"]
        if c["previous_as_of_date"]
    ]
    assert got == want
    planted = truths["universe_at_audit"]
    verdict, value, detail = claims(con, "article_date")["universe_replenished"]
    assert (verdict, value) == (planted["verdict"], planted["additions"] - planted["removals"])
    assert (detail["additions"], detail["removals"]) == (planted["additions"], planted["removals"])
    assert planted["verdict"] == "supported" and planted["additions"] > planted["removals"]


def test_named_sectors_lead_the_small_index(con, truths):
    planted = truths["sector_returns_at_audit"]
    rows = {
        sector: (r6, rel6)
        for sector, r6, rel6 in con.execute(
            "SELECT sector, return_6m, relative_6m FROM marts.sector_returns "
            "WHERE index_role = 'small' AND as_of_date = DATE '2025-12-09'"
        ).fetchall()
    }
    for sector in ("Technology", "Health Care", "Industrials"):
        assert rows[sector] == (
            pytest.approx(planted[sector]["return_6m"], abs=1e-9),
            pytest.approx(planted[sector]["relative_6m"], abs=1e-9),
        ), sector
    verdict, value, _ = claims(con, "article_date")["sector_leaders"]
    assert (verdict, value) == (planted["verdict"], 3) == ("supported", 3)
    # Not every sector leads: the weighted sectors add up to the index.
    assert min(rel for _, rel in rows.values()) < 0


def test_corrections_followed_by_rebounds(con, truths):
    got = [
        (str(p), str(t), pytest.approx(d, abs=1e-9), r)
        for p, t, d, r in con.execute(
            "SELECT peak_date, trough_date, depth, rebound_6m FROM marts.drawdown_episodes "
            "WHERE role = 'small' ORDER BY peak_date"
        ).fetchall()
    ]
    want = truths["drawdown_episodes_small"]
    assert [g[:3] for g in got] == [(e["peak_date"], e["trough_date"], e["depth"]) for e in want]
    for g, e in zip(got, want, strict=True):
        assert g[3] == (pytest.approx(e["rebound_6m"], abs=1e-9) if e["rebound_6m"] is not None else None)
    planted = truths["rebounds_at_audit"]
    verdict, value, detail = claims(con, "article_date")["correction_rebounds"]
    assert verdict == planted["verdict"] == "supported"
    assert value == pytest.approx(planted["positive"] / planted["episodes"], abs=1e-12)
    assert planted["episodes"] >= 2


def test_claims_no_free_source_can_check_say_why(con):
    rows = con.execute(
        "SELECT claim_id, reason FROM marts.claims_audit "
        "WHERE verdict = 'not_checkable' AND audit_view = 'article_date'"
    ).fetchall()
    ids = {claim for claim, _ in rows}
    assert {"call_options_spike", "retail_participation", "us_share_of_global_small_caps"} <= ids
    # The sample has no AIMEI Health Technology filings: the named company cannot be checked.
    assert "named_company_margins" in ids
    assert all(reason and len(reason) > 30 for _, reason in rows)
    # Every other claim has no reason: a reason marks what the data cannot settle.
    others = "SELECT count(*) FROM marts.claims_audit WHERE verdict <> 'not_checkable' AND reason IS NOT NULL"
    assert one(con, others) == (0,)
