seen = set()
seen |= {1, 2}
seen &= {1, 2, 3}
seen ^= {4}
seen -= {1}
print(seen)
