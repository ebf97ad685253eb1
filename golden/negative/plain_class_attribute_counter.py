class Counter:
    def __init__(self):
        self.count = 0
        self.names = []

    def hit(self, name):
        self.count += 1
        self.names += [name]


Counter().hit("a")
