"""The lead workbook (台账): template, import through the pipeline rules, streaming export."""
