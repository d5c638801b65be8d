"""Rules over a form's money (the budget block): the same for a department and a project."""

from __future__ import annotations

from perfdoc.diagnostics import Diagnostics
from perfdoc.sources import markdown
from perfdoc.sources.layout import BudgetBlock
from perfdoc.sources.model import LOW_EXECUTION, Form, decimal_text, percent_text


def budget_rules(form: Form, diags: Diagnostics) -> None:
    """执行数 ≤ 预算数 per source, a reason below 90 %, its length, and groupings that
    add up to the same totals."""
    block = form.layout.budget
    if block is None:
        return
    where = form.path
    _groups(form, block, diags)
    for source, amounts in form.funds.items():
        budget, spent = amounts.get(block.budget), amounts.get(block.spent)
        if budget is not None and spent is not None and spent > budget:
            diags.error("PD704", where, f"{source}的{block.spent} {decimal_text(spent.wan)} 万元"
                        f"大于{block.budget} {decimal_text(budget.wan)} 万元",
                        line=form.lines.get(f"funds.{source}.{block.spent}"),
                        field=f"funds.{source}.{block.spent}")
    if form.budget == 0:
        code = "PD702" if form.layout.kind == "project" else "PD102"
        diags.error(code, where, f"各来源的{block.budget}合计为 0，无法计算执行率",
                    line=form.lines.get("funds"), field="funds")
        return
    rate = form.execution_rate
    reason = form.execution_reason
    if rate is not None and rate < LOW_EXECUTION and not reason:
        message = (f"执行率为 {percent_text(rate)}，低于 90%，请在 execution_reason 中写明原因"
                   + (f"（{block.reason_limit} 字以内）" if block.reason_limit else ""))
        report = diags.error if block.low_rate == "error" else diags.warning
        report("PD705", where, message, line=form.lines.get("funds"), field="execution_reason")
    if not block.reason_limit:
        return
    line = form.lines.get("execution_reason")
    try:
        length = markdown.printed_length(reason)
    except markdown.TooComplex as error:
        markdown.too_complex(where, line or 1, error, diags, field="execution_reason")
        return
    if length > block.reason_limit:
        diags.error("PD709", where, f"execution_reason 有 {length} 字，超过版式规定的 "
                    f"{block.reason_limit} 字", line=line, field="execution_reason")


def _groups(form: Form, block: BudgetBlock, diags: Diagnostics) -> None:
    """Every grouping of the sources adds up to 年度资金总额 (the first grouping's sum)."""
    if len(block.groups) < 2:
        return
    first_label = block.groups[0][0]
    for label, members in block.groups[1:]:
        for key in block.amounts:
            total, part = form.amount(key), form.amount(key, members)
            if total != part:
                diags.error("PD711", form.path, f"{label}的{key}合计 {decimal_text(part.wan)} 万元，"
                            f"与{first_label}的合计 {decimal_text(total.wan)} 万元不一致",
                            line=form.lines.get("funds"), field="funds")
