import torch

img = torch.zeros(3, 8, 8)
img[0] = 1.0
img[:, 0, :] = 0.5
img /= 255
img -= img.mean()
print(img.shape)
