"""Reading, parsing and writing .xlsx workbooks the way bureau clerks fill them in.

`reader` opens an uploaded workbook safely and finds its header row,
`cells` turns what a clerk typed into dates, amounts and choices,
`writer` streams exports and error workbooks, `template` builds the
blank workbooks staff download.
"""
