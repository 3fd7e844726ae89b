"""
In a real browser: the document QR code of a signed order, decoded from the issued copy, opens the verification of
that very copy ("genuine"); the PDF in hand compared there verifies as issued. Screenshots go to E2E_ARTIFACTS;
docs/documents.md shows them.
"""
import pytest
from playwright.sync_api import expect

from netbox_decommission import workflow
from netbox_decommission.models import Decommission, Document
from tests.utils import (
    create_cabled_server,
    create_signers,
    create_sites,
    create_workflow_decommission,
    grant,
    placed_qr_codes,
)

from .browser import PASSWORD

pytestmark = pytest.mark.browser


def test_the_qr_code_opens_the_verification_of_the_copy(login, tmp_path):
    (site,) = create_sites('DC Moscow 4')
    server = create_cabled_server(site, 'msk4-web-07')
    people = create_signers()
    people.head.set_password(PASSWORD)
    people.head.save()
    grant([people.head], ['view', 'change', 'sign'], Decommission)
    decommission = create_workflow_decommission(server.device, people)
    workflow.sign(decommission, people.head, 'order', 'head')
    workflow.sign(decommission, people.responsible, 'order', 'responsible')
    order = Document.objects.get(decommission=decommission, kind='order')
    issued = order.files.get(language='ru')
    data = issued.file.open('rb').read()
    ((url, _page, _centre),) = placed_qr_codes(data)

    head = login('head')
    head.open(url[url.index('/plugins/'):])
    verdict = head.page.locator('[data-copy-state]')
    expect(verdict).to_have_attribute('data-copy-state', 'genuine')
    expect(verdict).to_contain_text(order.number)
    expect(verdict).to_contain_text(issued.sha256)
    head.screenshot('01-copy-verification')

    # The PDF in hand, compared on the same page.
    pdf = tmp_path / f'{order.number}_ru.pdf'
    pdf.write_bytes(data)
    head.page.locator('input[type=file]').set_input_files(str(pdf))
    head.page.get_by_role('button', name='Verify').click()
    head.page.wait_for_load_state('networkidle')
    expect(head.page.locator('.alert-success')).to_contain_text(order.number)
    head.screenshot('02-pdf-in-hand-verified')
