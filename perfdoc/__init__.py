"""perfdoc: the yearly 部门整体支出绩效自评 as docs-as-code."""

__version__ = "0.1.0"
