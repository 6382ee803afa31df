"""Who the legacy shoppers are: names, e-mails, phones and postal addresses by country.

Each portal served its own countries (the `global` portal most of the world); names, streets, cities,
postcodes and phone numbers follow the country so the data reads like a real shop's.
"""

import unicodedata
from dataclasses import dataclass

from .common import fill, pick


def _words(text: str) -> tuple:
    return tuple(text.split("|"))


NAMES = {  # language -> (first names, last names)
    "en": (
        _words(
            "Oliver|Amelia|James|Olivia|Harry|Isla|Jack|Chloé|Noah|Aoife|"
            "Siobhán|Liam|Emily|Mohammed|Grace|Seán|Zoë|Thomas|Sophie|Daniel"
        ),
        _words(
            "Smith|Jones|Taylor|Brown|Wilson|Evans|O'Brien|Murphy|Patel|"
            "Walsh|Nguyen|Johnson|Williams|García|Kelly|Robinson|Clarke|Hughes"
        ),
    ),
    "fr": (
        _words(
            "Amélie|Léa|Hélène|Élodie|Maëlle|François|Jérôme|Lucas|Chloé|"
            "Théo|Camille|Inès|Noémie|Gaël|Zoé|Hugo|Manon|Benoît"
        ),
        _words(
            "Dubois|Lefèvre|Moreau|Fournier|Bernard|Martin|Girard|Roux|"
            "Lambert|Mercier|Dupont|Faure|Chevalier|Leroy|Gauthier|Perrin"
        ),
    ),
    "in": (
        _words("Arjun|Priya|Aarav|Ananya|Rohan|Diya|Vikram|Sneha|Karan|Meera|Rahul|Kavya|Aditya|Isha|Siddharth|Pooja"),
        _words("Sharma|Patel|Iyer|Reddy|Nair|Gupta|Singh|Kumar|Mehta|Rao|Das|Menon|Joshi|Banerjee"),
    ),
    "de": (
        _words("Jürgen|Lena|Lukas|Anna|Jonas|Mia|Felix|Sophie|Maximilian|Hannah"),
        _words("Müller|Schmidt|Schneider|Fischer|Weber|Becker|Schäfer|Köhler|Wagner"),
    ),
    "es": (
        _words("Tomás|Lucía|Martín|Sofía|Álvaro|Paula|Hugo|Valentina|Pablo|Nuria"),
        _words("García|Núñez|Fernández|López|Martínez|Sánchez|Pérez|Gómez|Jiménez"),
    ),
    "it": (
        _words("Giulia|Marco|Francesca|Luca|Chiara|Matteo|Sara|Niccolò|Elena"),
        _words("Rossi|Russo|Ferrari|Esposito|Bianchi|Romano|Colombo|Ricci|De Luca"),
    ),
    "nl": (
        _words("Daan|Emma|Sem|Julia|Lars|Tess|Bram|Fleur|Ruben|Anouk"),
        _words("de Jong|Jansen|de Vries|van den Berg|Bakker|Visser|Smit|Meijer"),
    ),
    "pl": (
        _words("Łukasz|Zofia|Jakub|Małgorzata|Piotr|Agnieszka|Michał|Katarzyna"),
        _words("Kowalski|Nowak|Wiśniewski|Wójcik|Kamińska|Lewandowski|Zieliński"),
    ),
    "pt": (
        _words("João|Inês|Gonçalo|Beatriz|Tiago|Mariana|Rúben|Leonor"),
        _words("Silva|Santos|Ferreira|Pereira|Oliveira|Costa|Rodrigues|Gonçalves"),
    ),
}

STREETS = {
    "en": _words(
        "High Street|Station Road|Church Lane|Victoria Road|Park Avenue|"
        "Main Street|Mill Lane|Queen's Road|Elm Grove|King Street"
    ),
    "fr": _words(
        "rue de la République|avenue Jean Jaurès|rue Victor Hugo|boulevard Voltaire|"
        "rue de l'Église|place de la Mairie|allée des Tilleuls|rue Pasteur"
    ),
    "in": _words(
        "MG Road|Brigade Road|Linking Road|Anna Salai|Park Street|FC Road|Residency Road|Jubilee Hills Road No. 36"
    ),
    "de": _words("Hauptstraße|Schulstraße|Bahnhofstraße|Gartenweg|Lindenallee|Am Markt"),
    "es": _words("Calle Mayor|Gran Vía|Calle de Alcalá|Avenida de la Constitución|Plaza España"),
    "it": _words("Via Roma|Corso Vittorio Emanuele II|Via Garibaldi|Via Dante|Piazza del Duomo"),
    "nl": _words("Kerkstraat|Dorpsstraat|Prinsengracht|Stationsweg|Molenstraat"),
    "pl": _words("ul. Marszałkowska|ul. Długa|ul. Piotrkowska|ul. Floriańska|al. Jerozolimskie"),
    "pt": _words("Rua Augusta|Avenida da Liberdade|Rua de Santa Catarina|Rua do Carmo"),
}

SECOND_LINES = {
    "en": _words("Flat 2|Flat 14B|Apartment 5|Unit 3|c/o Reception"),
    "fr": _words("Bâtiment B|Appartement 12|Escalier C, 3e étage|Résidence Les Pins"),
    "in": _words("Flat 402, Lotus Residency|Near City Mall|2nd Floor|Opp. Bus Depot"),
    "de": _words("Hinterhaus|3. OG|c/o Müller"),
    "es": _words("3º B|Piso 2, puerta 4|Bajo A"),
    "it": _words("Scala B, int. 7|Piano 3"),
    "nl": _words("2 hoog|Bus 3"),
    "pl": _words("m. 12|lok. 4"),
    "pt": _words("2º Esq.|R/C Dto."),
}


@dataclass(frozen=True)
class Country:
    code: str
    names: str  # key of NAMES / STREETS / SECOND_LINES
    cities: tuple  # (city, postcode template)
    phone: str  # phone template


COUNTRIES = {
    c.code: c
    for c in (
        Country(
            "GB",
            "en",
            (
                ("London", "SW1A #??"),
                ("London", "E1 #??"),
                ("Manchester", "M1 #??"),
                ("Birmingham", "B1 #??"),
                ("Leeds", "LS1 #??"),
                ("Glasgow", "G1 #??"),
                ("Bristol", "BS1 #??"),
                ("Edinburgh", "EH1 #??"),
                ("Cardiff", "CF10 #??"),
                ("Belfast", "BT1 #??"),
            ),
            "+44 7### ######",
        ),
        Country("IE", "en", (("Dublin", "D0# ?#?#"), ("Cork", "T12 ?#?#"), ("Galway", "H91 ?#?#")), "+353 8# ### ####"),
        Country(
            "US",
            "en",
            (
                ("New York", "100##"),
                ("Los Angeles", "900##"),
                ("Chicago", "606##"),
                ("Houston", "770##"),
                ("Seattle", "981##"),
                ("Austin", "787##"),
                ("Boston", "021##"),
                ("Miami", "331##"),
            ),
            "+1 ###-555-0###",
        ),
        Country(
            "FR",
            "fr",
            (
                ("Paris", "750##"),
                ("Lyon", "6900#"),
                ("Marseille", "130##"),
                ("Toulouse", "310##"),
                ("Lille", "590##"),
                ("Nantes", "440##"),
                ("Bordeaux", "330##"),
                ("Strasbourg", "670##"),
                ("Nice", "060##"),
            ),
            "+33 6 ## ## ## ##",
        ),
        Country("BE", "fr", (("Bruxelles", "10##"), ("Liège", "40##"), ("Namur", "50##")), "+32 4## ## ## ##"),
        Country("LU", "fr", (("Luxembourg", "L-1###"), ("Esch-sur-Alzette", "L-4###")), "+352 621 ### ###"),
        Country(
            "IN",
            "in",
            (
                ("Bengaluru", "560###"),
                ("Mumbai", "400###"),
                ("Delhi", "110###"),
                ("Chennai", "600###"),
                ("Hyderabad", "500###"),
                ("Pune", "411###"),
                ("Kolkata", "700###"),
            ),
            "+91 9#### #####",
        ),
        Country(
            "DE",
            "de",
            (
                ("Berlin", "10###"),
                ("München", "80###"),
                ("Hamburg", "20###"),
                ("Köln", "50###"),
                ("Frankfurt am Main", "60###"),
            ),
            "+49 15# ########",
        ),
        Country("AT", "de", (("Wien", "1###"), ("Graz", "80##"), ("Linz", "40##")), "+43 664 #######"),
        Country(
            "ES",
            "es",
            (("Madrid", "280##"), ("Barcelona", "080##"), ("Valencia", "460##"), ("Sevilla", "410##")),
            "+34 6## ### ###",
        ),
        Country(
            "IT",
            "it",
            (("Roma", "001##"), ("Milano", "201##"), ("Napoli", "801##"), ("Torino", "101##")),
            "+39 3## ### ####",
        ),
        Country(
            "NL", "nl", (("Amsterdam", "10## ??"), ("Rotterdam", "30## ??"), ("Utrecht", "35## ??")), "+31 6 ########"
        ),
        Country(
            "PL",
            "pl",
            (("Warszawa", "0#-###"), ("Kraków", "3#-###"), ("Łódź", "9#-###"), ("Wrocław", "5#-###")),
            "+48 5## ### ###",
        ),
        Country("PT", "pt", (("Lisboa", "1###-###"), ("Porto", "4###-###")), "+351 9## ### ###"),
    )
}

# Which countries each portal shipped to, as a weighted draw list.
PORTAL_COUNTRIES = {
    "global": ("US",) * 8 + ("DE",) * 3 + ("ES",) * 2 + ("IT",) * 2 + ("NL", "PL", "PL", "PT", "IE", "AT"),
    "uk": ("GB",),
    "fr": ("FR",) * 12 + ("BE", "LU"),
    "in": ("IN",),
}
EMAIL_DOMAINS = ("example.com", "example.com", "example.org", "example.net", "mail.example.com")


@dataclass
class Person:
    """A shopper as the legacy shop knew them on one portal."""

    first_name: str
    last_name: str
    country: Country
    email: str  # canonical form: the e-mail as typed may differ in case and surrounding spaces

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


def ascii_fold(text: str) -> str:
    """`Amélie O'Brien` -> `amelieobrien`: what an e-mail's local part is built from."""
    decomposed = unicodedata.normalize("NFKD", text.replace("ł", "l").replace("Ł", "L"))
    return "".join(ch for ch in decomposed if ch.isascii() and ch.isalnum()).lower()


def new_person(rng, portal: str, serial: int) -> Person:
    """A new shopper of `portal`; `serial` makes the e-mail unique in the bundle."""
    country = COUNTRIES[pick(rng, PORTAL_COUNTRIES[portal])]
    first_names, last_names = NAMES[country.names]
    first, last = pick(rng, first_names), pick(rng, last_names)
    email = f"{ascii_fold(first)}.{ascii_fold(last)}.{serial}@{pick(rng, EMAIL_DOMAINS)}"
    return Person(first, last, country, email)


def email_as_typed_again(rng, email: str) -> str:
    """The same e-mail as the person typed it on another portal: other case, stray spaces."""
    variant = pick(rng, ("upper", "title", "spaces", "upper_spaces"))
    if variant == "upper":
        return email.upper()
    if variant == "title":
        return email[:1].upper() + email[1:]
    if variant == "spaces":
        return f" {email}  "
    return f"  {email.upper()} "


def phone(rng, country: Country) -> str:
    return fill(rng, country.phone)


def address(rng, person: Person, with_phone: bool) -> dict:
    """An address object of the bundle (without the customer-only `legacy_id` and `is_default`)."""
    country = person.country
    city, postcode = pick(rng, country.cities)
    second = pick(rng, SECOND_LINES[country.names]) if rng.random() < 0.25 else None
    return {
        "name": person.full_name,
        "line1": f"{1 + int(rng.random() * 180)} {pick(rng, STREETS[country.names])}",
        "line2": second,
        "city": city,
        "postcode": fill(rng, postcode),
        "country": country.code,
        "phone": phone(rng, country) if with_phone else None,
    }
