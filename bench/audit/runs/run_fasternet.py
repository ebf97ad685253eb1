import os, sys; sys.path.insert(0, os.path.dirname(os.path.abspath(__file__))); import tvshim
import torch, timm
from timm.models.fasternet import Partial_conv3
for mode in ('slicing','split_cat'):
    m=Partial_conv3(8,4,mode); x=torch.randn(2,8,6,6,requires_grad=True)
    try:
        y=m(x); y.sum().backward(); print(mode,'OK')
    except Exception as e: print(mode,'raised',str(e)[:150])
    with torch.no_grad(): y=m(x); print(mode,'no_grad OK')
m = timm.create_model('fasternet_t0', pconv_fw_type='slicing').train()
try:
    m(torch.randn(1,3,64,64)).sum().backward(); print('fasternet_t0 slicing train OK')
except Exception as e: print('fasternet_t0 slicing train raised', str(e)[:150])
