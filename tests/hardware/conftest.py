import textwrap
from pathlib import Path

import pytest

from lockin.hardware.specs import load_specs

SPEC_CSV = textwrap.dedent(
    """\
    vendor,model,aliases,year,memory_gb,memory_bandwidth_tbs,board_power_w,power_term,fp16_dense_tflops,fp8_dense_tflops,interconnect,source
    nvidia,H100 SXM,NVIDIA H100-SXM-80GB,2022,80,3.35,700,TDP,989,1979,NVLink 4,test copy of the spec sheet
    nvidia,H200 SXM,NVIDIA H200-SXM-141GB,2023,141,4.8,700,TDP,989,1979,NVLink 4,test copy of the spec sheet
    nvidia,B200 SXM,NVIDIA B200-SXM-180GB,2024,180,8.0,1000,TGP,2250,4500,NVLink 5,test copy of the spec sheet
    amd,MI300X,AMD Instinct MI300X 192GB HBM3,2023,192,5.3,750,TBP,1307.4,2614.9,Infinity Fabric,test copy of the spec sheet
    amd,MI325X,AMD Instinct MI325X 256GB HBM3e,2024,256,6.0,1000,TBP,1307.4,2614.9,Infinity Fabric,test copy of the spec sheet
    google,TPU v6e,Trillium,2024,32,1.638,,,918,,ICI,test copy of the spec sheet
    """
)

PRICE_CSV = textwrap.dedent(
    """\
    model,purchase_usd,hourly_usd,basis,source
    H100 SXM,25000,2.5,test price,test
    H200 SXM,30000,3.0,test price,test
    MI300X,15000,2.0,test price,test
    MI325X,20000,,test price,test
    """
)


@pytest.fixture
def spec_files(tmp_path: Path) -> tuple[Path, Path]:
    specs, prices = tmp_path / "accelerators.csv", tmp_path / "prices.csv"
    specs.write_text(SPEC_CSV)
    prices.write_text(PRICE_CSV)
    return specs, prices


@pytest.fixture
def specs(spec_files):
    spec_csv, price_csv = spec_files
    return load_specs([spec_csv], bundled=False, prices=price_csv)
