# Render the act of the documents fixture to PNG to look at it.
from django.test import TestCase
from netbox_decommission.choices import DecommissionStatusChoices as Status
from tests.mixins import DocumentFixtureMixin
from tests.utils import add_ready_components, advance, create_workflow_decommission
import pypdfium2

class Look(DocumentFixtureMixin, TestCase):
    def test_look(self):
        d = create_workflow_decommission(self.device, self.people, reason_text='Replaced by srv-02')
        add_ready_components(d, self.zone)
        d = advance(d, Status.STATUS_RETIRED, self.people, self.zone)
        for kind in ('act', 'order'):
            doc = self.document(d, kind)
            for f in doc.files.all():
                data = f.file.open('rb').read()
                open(f'/tmp/{kind}_{f.language}.pdf','wb').write(data)
                pdf = pypdfium2.PdfDocument(data)
                for i in range(len(pdf)):
                    pdf[i].render(scale=1.3).to_pil().save(f'/tmp/{kind}_{f.language}_{i}.png')
