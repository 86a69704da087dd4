"""Duplicate leads (不重复统计): the matching keys, the likely duplicates of a lead, the finder.

`normal` computes the normalised matching keys stored on every lead (one
function, `lead_keys`); `matches` reads the likely duplicates of one lead,
of the rows of an import and, grouped, of the whole database.
"""
