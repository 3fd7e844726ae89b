from .decommission import *
from .decommission_actions import *
from .decommission_documents import *
from .device_decommissions import *
from .removed_component import *
from .storage_location import *
