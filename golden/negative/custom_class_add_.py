import torch


class Meter:
    def __init__(self):
        self.total = 0.0

    def add_(self, value):
        self.total += value
        return self

    def mul_(self, factor):
        self.total *= factor
        return self


meter = Meter()
meter.add_(torch.tensor(1.0).item()).mul_(0.5)
print(meter.total)
