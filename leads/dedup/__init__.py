"""Duplicate leads (不重复统计): the matching keys, the likely duplicates of a lead, the finder.

`normal` computes the normalised matching keys stored on every lead (one
function, `lead_keys`); `matches` holds the rule (`keys_match`) and reads the
likely duplicates of one lead and of the rows of an import; `finder` groups
the likely duplicates of the whole database.
"""
