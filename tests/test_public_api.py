import subprocess
import sys

import sagewright


def test_every_public_name_resolves():
    for name in sagewright.__all__:
        assert getattr(sagewright, name) is not None, name


def test_import_is_light():
    probe = (
        "import sys, sagewright\n"
        "roots = ('sagemaker', 'boto3', 'langchain')\n"
        "heavy = [m for m in sys.modules if m.split('.')[0] in roots]\n"
        "print(sorted(heavy))\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
