from .bulk_edit import *
from .bulk_import import *
from .calendar_feeds import *
from .disposition import *
from .documents import *
from .filtersets import *
from .model_forms import *
from .workflow import *
