"""The demo store's people: a few existing Xiaomi customers with their addresses, support agents, an admin.

`oliver.fournier.50@example.com` is the existing Xiaomi customer the po.co sample bundle expects (its
import links his po.co accounts to this account), and `agent.0@po.co`, `agent.1@po.co` are the staff the
sample's tickets name. The other customers use `example.org`, which the sample never uses, so seeding
never changes what an import of the sample reports.
"""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class AddressSpec:
    name: str
    line1: str
    city: str
    postcode: str
    country: str
    phone: str = ""


@dataclass(frozen=True)
class PersonSpec:
    email: str
    password: str
    first_name: str
    last_name: str
    store: str = "global"  # preferred regional store code
    language: str = "en"
    role: str = "customer"  # customer, support agent, admin
    addresses: list[AddressSpec] = field(default_factory=list)


CUSTOMER, SUPPORT_AGENT, ADMIN = "customer", "support agent", "admin"

PEOPLE = [
    PersonSpec("oliver.fournier.50@example.com", "mi-existing-0", "Olivier", "Fournier", "fr", "fr",
               addresses=[AddressSpec("Olivier Fournier", "12 rue de la République", "Lyon", "69002", "FR",
                                      "+33 4 72 00 00 50")]),
    PersonSpec("emma.clarke@example.org", "mi-existing-1", "Emma", "Clarke", "uk",
               addresses=[AddressSpec("Emma Clarke", "221 Camden High Street", "London", "NW1 7BU", "GB"),
                          AddressSpec("Emma Clarke (work)", "1 Canada Square", "London", "E14 5AB", "GB")]),
    PersonSpec("lucas.bernard@example.org", "mi-existing-2", "Lucas", "Bernard", "fr", "fr",
               addresses=[AddressSpec("Lucas Bernard", "8 boulevard Haussmann", "Paris", "75009", "FR")]),
    PersonSpec("aarav.mehta@example.org", "mi-existing-3", "Aarav", "Mehta", "in",
               addresses=[AddressSpec("Aarav Mehta", "14 MG Road", "Bengaluru", "560001", "IN",
                                      "+91 80 0000 0003")]),
    PersonSpec("noah.miller@example.org", "mi-existing-4", "Noah", "Miller", "global",
               addresses=[AddressSpec("Noah Miller", "500 Congress Avenue", "Austin", "78701", "US")]),
    PersonSpec("sofia.rossi@example.org", "mi-existing-5", "Sofia", "Rossi", "global",
               addresses=[AddressSpec("Sofia Rossi", "Via Torino 21", "Milano", "20123", "IT")]),
    PersonSpec("agent.0@po.co", "mi-agent-0", "Priya", "Nair", role=SUPPORT_AGENT),
    PersonSpec("agent.1@po.co", "mi-agent-1", "Tom", "Walsh", role=SUPPORT_AGENT),
    PersonSpec("admin@example.com", "mi-admin-0", "Store", "Admin", role=ADMIN),
]
