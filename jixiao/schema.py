"""Column names and types of the normalized tables (the contract in CONTRACT.md, plus extras).

Money is in 万元; rates and percentages are fractions (98% -> 0.98, unit kept as "%").
The Polars schemas here are the single source for the DuckDB DDL (see `ddl`).
"""

from __future__ import annotations

import polars as pl

DOCUMENTS = {
    "doc_id": pl.String,
    "source_path": pl.String,
    "sha256": pl.String,
    "layout": pl.String,          # tabular | cell_per_line | xlsx | docx
    "kind": pl.String,            # goal | self_eval (None when nothing was recognised)
    "status": pl.String,          # ok | partial | failed
    "message": pl.String,         # why it failed / what was incomplete; None when ok
    "encoding": pl.String,
    "file_type": pl.String,       # txt | md | xlsx | docx
    "size_bytes": pl.Int64,
    "n_projects": pl.Int32,
    "n_indicators": pl.Int32,
    "parse_report": pl.String,    # one note per line: what was read, skipped, guessed
    "confidence": pl.Float64,     # 0-1: how much of the document the parser understood
    "synthetic": pl.Boolean,
    "loaded_at": pl.Datetime("us"),
    # Identity (jixiao.ingest): where the document comes from, and its content after decoding.
    "source_key": pl.String,      # SHA-256 of the normalised absolute path, or of "upload:<file name>"
    "text_sha256": pl.String,     # text files: SHA-256 of the decoded, normalised text (any encoding)
}

PROJECTS = {
    "project_id": pl.String,
    "doc_id": pl.String,
    "seq": pl.Int32,              # 1-based order of the project in its document
    "kind": pl.String,
    "year": pl.Int32,
    "province": pl.String,
    "city": pl.String,
    "county": pl.String,
    "department": pl.String,      # 主管部门
    "unit": pl.String,            # 预算单位 / 实施单位
    "unit_canonical": pl.String,  # the unit's one name across documents (aliases applied by derive)
    "scope": pl.String,           # project | department (部门整体支出绩效目标表 / 自评表)
    "name": pl.String,
    "code": pl.String,            # 项目编码
    "budget": pl.Float64,         # 年度资金总额 / 年初预算数 A (万元)
    "budget_adjusted": pl.Float64,  # 调整后预算数 / 全年预算数 (万元, self-evaluation); None where the form has none
    "executed": pl.Float64,       # 全年执行数 B (万元); None for goal tables
    "execution_rate": pl.Float64, # B / 调整后预算数 where the form has one (unless it says B/A), else B/A; None for goal tables
    "execution_rate_reported": pl.Float64,  # 执行率 as written in the budget block; None where none
    "budget_points": pl.Float64,  # 预算执行率 分值 (self-evaluation), usually 10
    "budget_score_reported": pl.Float64,
    "total_score_reported": pl.Float64,
    "fund_fiscal": pl.Float64,    # 其中：财政拨款/财政资金
    "fund_carryover": pl.Float64, # 上年结转
    "fund_other": pl.Float64,     # 其他资金
    "budget_written": pl.Float64, # 年度资金总额（年初预算数）as its total row writes it, before a 0 there is
                                  # replaced by its sources' sum in `budget`; None where there is no total row
    "fund_use": pl.String,        # 资金用途
    "spend_plan": pl.String,      # 资金支出计划, e.g. "3月底:25%;6月底:50%;10月底:75%;12月底:100%"
    "goal": pl.String,            # 年度总体目标 / 绩效目标
    "goal_long": pl.String,       # 长期目标 / 实施期绩效目标 (申报表 with multi-year goals)
    "goal_summary": pl.String,    # 年度总体目标完成情况综述 (self-evaluation)
    "region_note": pl.String,     # why province/city/county could not be resolved; None when resolved
    "synthetic": pl.Boolean,
    "source_line": pl.Int32,
    "source_sheet": pl.String,
}

INDICATORS = {
    "indicator_id": pl.String,
    "project_id": pl.String,
    "doc_id": pl.String,
    "seq": pl.Int32,              # 1-based order within the project
    "level1": pl.String,          # 产出指标 | 效益指标 | 成本指标 | 满意度指标
    "level2": pl.String,          # canonical second level (see jixiao.levels)
    "level1_raw": pl.String,
    "level2_raw": pl.String,
    "level1_points": pl.Float64,  # declared points of the first level, e.g. 产出指标 (40分) -> 40
    "name": pl.String,            # 三级指标; "" where the document left it empty
    "description": pl.String,     # 指标解释 / 绩效指标描述
    "target_raw": pl.String,
    "target_op": pl.String,       # >= <= = > < ; None for qualitative or a bare number
    "target_value": pl.Float64,
    "target_unit": pl.String,
    "declared_type": pl.String,   # 指标值类型 as written (≥ = ≤ 定性 ...), None where no such column
    "is_quantitative": pl.Boolean,
    "weight": pl.Float64,         # 分值 / 指标分值权重
    "actual_raw": pl.String,      # 全年实际值
    "actual_value": pl.Float64,
    "actual_unit": pl.String,
    "score_reported": pl.Float64,
    "score_expected": pl.Float64,
    "scoring_rule": pl.String,    # 评(扣)分标准 / 得分计算方法 / 指标赋分规则
    "last_year_raw": pl.String,   # 上年完成值
    "last_year_value": pl.Float64,
    "basis": pl.String,           # 指标值设置依据 / 指标值确定依据
    "evidence": pl.String,        # 佐证资料
    "reason": pl.String,          # 未完成原因分析
    "source_line": pl.Int32,
    "source_sheet": pl.String,
}

SOURCE_LINES = {
    "doc_id": pl.String,
    "line": pl.Int32,
    "text": pl.String,            # phone numbers masked before storing
}

_DUCK = {
    pl.String: "VARCHAR",
    pl.Int32: "INTEGER",
    pl.Int64: "BIGINT",
    pl.Float64: "DOUBLE",
    pl.Boolean: "BOOLEAN",
}


def duck_type(dtype: pl.DataType) -> str:
    """Given a Polars dtype from the schemas above, returns the DuckDB column type."""
    if isinstance(dtype, pl.Datetime) or dtype == pl.Datetime:
        return "TIMESTAMP"
    return _DUCK[dtype]


def ddl(table: str, schema: dict, primary_key: str | None = None) -> str:
    """Given a table name and one of the schemas, returns its CREATE TABLE statement."""
    cols = [f'"{name}" {duck_type(t)}' for name, t in schema.items()]
    if primary_key:
        cols.append(f"PRIMARY KEY ({primary_key})")
    return f"CREATE TABLE IF NOT EXISTS {table} (\n  " + ",\n  ".join(cols) + "\n)"


def empty_frame(schema: dict) -> pl.DataFrame:
    """Given a schema, returns an empty Polars frame with exactly those columns."""
    return pl.DataFrame(schema=schema)
