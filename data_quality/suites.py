"""Great Expectations suites, as code, for every raw dataset and every BI-facing mart."""

from __future__ import annotations

from data_quality.marts_contract import MARTS, SHARE_COLUMNS
from data_quality.thresholds import Thresholds


def _ranges(dataset: str, t: Thresholds) -> list:
    import great_expectations as gx

    E = gx.expectations
    if dataset == "prices":
        return [
            E.ExpectColumnValuesToBeBetween(column=c, min_value=0, strict_min=True)
            for c in ("close", "open", "high", "low", "adj_close")
        ]
    if dataset == "fund_navs":
        return [E.ExpectColumnValuesToBeBetween(column=c, min_value=0, strict_min=True) for c in ("nav", "adj_nav")]
    if dataset == "rates":
        return [E.ExpectColumnValuesToBeBetween(column="value", min_value=t.yield_min_pct, max_value=t.yield_max_pct)]
    if dataset == "earnings":
        return [E.ExpectColumnValuesToBeBetween(column="shares_outstanding", min_value=0, strict_min=True)]
    if dataset == "universe":
        return [
            E.ExpectColumnValuesToBeBetween(column="shares_outstanding", min_value=0, strict_min=True),
            E.ExpectColumnValuesToBeBetween(column="weight", min_value=0, max_value=1),
        ]
    if dataset == "fund_distributions":
        return [E.ExpectColumnValuesToBeBetween(column="amount", min_value=0, strict_min=True)]
    if dataset == "splits":
        return [E.ExpectColumnValuesToBeBetween(column="ratio", min_value=0, strict_min=True)]
    return []


def raw_suite(dataset_name: str, columns: list[str], not_null: list[str], t: Thresholds) -> list:
    """Schema (the table's columns in order), not-null on `not_null` and value ranges of one raw
    table; the columns come from the landing contract (pipelines.raw_gates.contract_suite)."""
    import great_expectations as gx

    E = gx.expectations
    suite = [E.ExpectTableColumnsToMatchOrderedList(column_list=columns)]
    suite += [E.ExpectColumnValuesToNotBeNull(column=c) for c in not_null]
    return suite + _ranges(dataset_name, t)


def mart_suite(table: str) -> list:
    """The contract of one BI-facing mart: columns present, grain unique and complete, value sets."""
    import great_expectations as gx

    E = gx.expectations
    spec = MARTS[table]
    suite = [E.ExpectTableColumnsToMatchSet(column_set=spec["columns"], exact_match=False)]
    suite.append(
        E.ExpectCompoundColumnsToBeUnique(column_list=spec["grain"])
        if len(spec["grain"]) > 1
        else E.ExpectColumnValuesToBeUnique(column=spec["grain"][0])
    )
    suite += [E.ExpectColumnValuesToNotBeNull(column=c) for c in spec["grain"]]
    suite += [E.ExpectColumnValuesToBeInSet(column=c, value_set=v) for c, v in spec.get("values", {}).items()]
    suite += [E.ExpectColumnValuesToBeBetween(column=c, min_value=0, max_value=1) for c in SHARE_COLUMNS.get(table, [])]
    return suite
