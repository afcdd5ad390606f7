import pandas as pd
import pytest

from recsys_lab.data import load_sales


@pytest.fixture
def sales() -> pd.DataFrame:
    return load_sales()
