import torch
img = torch.rand(3, 4, 4, requires_grad=True) * 1.0
for plane, scale in zip(img, [0.2, 0.3, 0.4]):
    plane = plane * scale             # expect IPF002: row of img (unbind view)
