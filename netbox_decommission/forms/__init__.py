from .bulk_edit import *
from .bulk_import import *
from .disposition import *
from .documents import *
from .filtersets import *
from .handover import *
from .model_forms import *
from .workflow import *
