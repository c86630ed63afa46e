"""下载模板: a real .xlsx per import kind — headers (required ones marked *), drop-downs for the
closed vocabularies, code and phone columns as text, widths, frozen header, and a 填写说明 sheet
explaining each column with an example row. A template written here imports back cleanly.
"""
from __future__ import annotations

from pathlib import Path

from qoffice.excel.kinds import KINDS, Column, Kind

HELP_SHEET = "填写说明"
REQUIRED_MARK = "*"
TEXT_TYPES = ("code", "phone")
TEXT_ROWS = 1000  # rows pre-formatted as text, so a typed credit code or phone keeps its digits


def header_text(col: Column) -> str:
    return col.header + REQUIRED_MARK if col.required else col.header


def is_text_column(col: Column) -> bool:
    return col.type in TEXT_TYPES or col.key == "phones" or col.key == "attendees"


def _type_note(col: Column) -> str:
    return {
        "year": "四位年份，如2023或2023年",
        "date": "日期，如2023-4-23、2023/04/23或2023年4月23日",
        "bool": "是/否（也可写Y/N、√/×、1/0）",
        "int": "整数",
        "money": "金额，单位万元；也可写“元”或“万元”",
        "rate": "百分数：1.25、1.25%或百分比格式的0.0125均表示1.25%",
        "list": "多项用、；，或换行分隔",
    }.get(col.type, "")


def build_workbook(kind: Kind):
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = Workbook()
    ws = wb.active
    ws.title = kind.title
    bold = Font(bold=True)
    required_fill = PatternFill("solid", fgColor="FFF2CC")
    plain_fill = PatternFill("solid", fgColor="DDEBF7")
    for i, col in enumerate(kind.columns, start=1):
        cell = ws.cell(row=1, column=i, value=header_text(col))
        cell.font = bold
        cell.fill = required_fill if col.required else plain_fill
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        letter = get_column_letter(i)
        ws.column_dimensions[letter].width = max(col.width, len(col.header) * 2 + 4)
        if is_text_column(col):
            ws.column_dimensions[letter].number_format = "@"
            for r in range(2, TEXT_ROWS + 2):
                ws.cell(row=r, column=i).number_format = "@"
        if col.vocabulary:
            dv = DataValidation(type="list", formula1='"' + ",".join(col.vocabulary) + '"', allow_blank=True,
                                showErrorMessage=col.strict, showDropDown=False)
            if col.strict:
                dv.errorTitle = "输入有误"
                dv.error = "请从下拉列表中选择：" + "、".join(col.vocabulary)
            else:
                dv.promptTitle = col.header
                dv.prompt = "可从下拉列表中选择，也可直接填写"
                dv.showInputMessage = True
            dv.add(f"{letter}2:{letter}1048576")
            ws.add_data_validation(dv)
    ws.freeze_panes = "A2"
    ws.row_dimensions[1].height = 30

    help_ws = wb.create_sheet(HELP_SHEET)
    help_ws.append(["列名", "是否必填", "填写说明", "可选值", "示例"])
    for cell in help_ws[1]:
        cell.font = bold
    for col in kind.columns:
        note = "；".join(n for n in (col.note, _type_note(col)) if n)
        choices = "、".join(col.vocabulary) if col.vocabulary else ""
        if choices and not col.strict:
            choices += "（也可填写其他）"
        help_ws.append([col.header, "必填" if col.required else "", note, choices, _example_text(col)])
    help_ws.append([])
    help_ws.append(["示例行（可复制到第一张表的第2行）："])
    help_ws.cell(row=help_ws.max_row, column=1).font = bold
    help_ws.append([header_text(c) for c in kind.columns])
    help_ws.append([_example_text(c) for c in kind.columns])
    help_ws.append([])
    help_ws.append(["标*的列必填。空白单元格不会清除已有数据；以统一社会信用代码等关键字判断新增或更新。"])
    for letter, width in zip("ABCDE", (20, 10, 50, 40, 28)):
        help_ws.column_dimensions[letter].width = width
    for row in help_ws.iter_rows(min_row=2, max_row=len(kind.columns) + 1):
        row[2].alignment = Alignment(wrap_text=True, vertical="top")
    return wb


def _example_text(col: Column) -> str:
    return "" if col.example is None else str(col.example)


def example_row(kind: Kind) -> list:
    return [col.example for col in kind.columns]


def write_template(kind_name: str, path: Path | str) -> Path:
    from qoffice.excel.cells import atomic_save
    from qoffice.excel.outputs import check_output

    check_output(path)  # before the work: a refused target costs nothing
    wb = build_workbook(KINDS[kind_name])
    return atomic_save(wb, Path(path))
