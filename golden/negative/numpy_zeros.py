import numpy as np

a = np.zeros(3)
a += 1
a[0] = 2.0
a *= np.ones(3)
print(a)
