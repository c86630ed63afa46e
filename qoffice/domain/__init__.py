"""Plain-Python domain: vocabularies, rules and formulas of the policy. No Qt, no SQL, no I/O."""
