"""Writing spreadsheets: scores.xlsx and the projects' 汇总表 (SpreadsheetML in
perfdoc/ooxml.py)."""
