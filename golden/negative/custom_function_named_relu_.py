def relu_(values):
    for i, v in enumerate(values):
        values[i] = max(v, 0.0)
    return values


print(relu_([-1.0, 2.0]))
