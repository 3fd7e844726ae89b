import re
from pathlib import Path

from setuptools import find_namespace_packages, setup

HERE = Path(__file__).parent
# The version lives in one place: the package's __init__.py.
VERSION = re.search(r"^__version__ = '([^']+)'", (HERE / 'netbox_decommission' / '__init__.py').read_text(), re.M)[1]

setup(
    name='netbox-decommission',
    version=VERSION,
    description='NetBox plugin: decommission data-center servers as one tracked, documented workflow',
    # The changelog follows the README on the package's page (PyPI, `pip show --verbose`), so it is in the wheel's
    # METADATA as well as in the sdist; the licence goes into the wheel's .dist-info by license_files.
    long_description='\n\n'.join((HERE / name).read_text(encoding='utf-8') for name in ('README.md', 'CHANGELOG.md')),
    long_description_content_type='text/markdown',
    license='Apache-2.0',
    license_files=['LICENSE'],
    python_requires='>=3.12',
    # Namespace discovery also lists the data folders (templates, locale) that MANIFEST.in ships.
    packages=find_namespace_packages(include=['netbox_decommission', 'netbox_decommission.*']),
    include_package_data=True,
    zip_safe=False,
    # NetBox itself is deliberately not a dependency: the plugin installs into an existing NetBox
    # and must never pull in a second one. The dev set-up pins NetBox in requirements-dev.txt.
    install_requires=[
        # The documents: PDF rendering, QR codes on labels, reading a PDF handed in for verification.
        'weasyprint>=62',
        'segno>=1.6',
        'pypdf>=5',
        # The iCalendar feed of removal windows (RFC 5545).
        'icalendar>=6',
    ],
    extras_require={
        # PAdES digital signatures on frozen documents (settings signing_key and signing_certificate).
        'pades': ['pyHanko>=0.25'],
    },
    classifiers=[
        'Framework :: Django',
        'Programming Language :: Python :: 3',
        'Programming Language :: Python :: 3.12',
        'Programming Language :: Python :: 3.13',
    ],
)
