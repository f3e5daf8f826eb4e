"""Synthetic names with the diversity of the region's case files: a pool per naming region
(francophone West Africa, Central Africa, the Sahel, anglophone Nigeria and Ghana), each of
thousands of first and last names, drawn with a Zipf-like frequency so that a few names are
very common (as Diallo or Aminata are) and most are rare.

A pool starts with real common names, in rough order of frequency, and goes on with names
composed of the region's name parts. Names that the app's normaliser would read as the same
name (accents, transliteration variants, doubled letters) are kept once, so that every name of
a pool has its own search key and a search by name matches as few persons as real data would.
The pools are the same on every run (their own fixed seed); only the draws follow --seed."""

from __future__ import annotations

import itertools
import random
import re
from dataclasses import dataclass

from traffick_cm import crypto

# Zipf exponent: the n-th most common name is drawn in proportion to 1 / n**ZIPF_S.
ZIPF_S = 1.05
FIRST_NAMES_PER_POOL = 3_000
LAST_NAMES_PER_POOL = 5_000


@dataclass(frozen=True)
class Parts:
    """Real names first (most common first), then the parts new names are composed of:
    a start, optional middles, and an ending."""

    common: tuple[str, ...]
    starts: tuple[str, ...]
    middles: tuple[str, ...]
    endings: tuple[str, ...]


def _parts(common: str, starts: str, middles: str, endings: str) -> Parts:
    return Parts(*(tuple(text.split()) for text in (common, starts, middles, endings)))


# Francophone West Africa: Guinea, Senegal, Côte d'Ivoire (Fula, Mande, Susu, Wolof names).
WEST = {
    "female": _parts(
        "Aminata Fatoumata Mariama Aïssatou Kadiatou Hawa Oumou Djénabou Fanta Binta Ramatoulaye "
        "Kadidiatou Maïmouna Safiatou Ndèye Coumba Sira Mabinty Saran Makalé Kankou Tenin Nènè "
        "Hadja Mariame Salimatou Aïcha Dialikatou Habibatou Sayon Mafoudia Fatoumata Sokhna Astou",
        "Ami Fa Ma Ka Ha Dje Sa Bi Ra Sa Ma Ta Ne Ko Ya Ha Di Mou Na Ba Fo Ta Ke Sou Mi",
        "ri ra ta di na ma la si ka ba",
        "ata atou ama ama ina ou ia iatou ba ta nè é ye ty ran fa ké da",
    ),
    "male": _parts(
        "Mamadou Ibrahima Alpha Thierno Ousmane Sékou Abdoulaye Amadou Oumar Boubacar Mohamed "
        "Souleymane Lansana Moussa Alseny Almamy Mamadi Fodé Saliou Cheick Aboubacar Elhadj "
        "Modibo Daouda Karamoko Sidiki Morlaye Aly Lamine Kabinet Sory Ansoumane Sény Naby",
        "Ma Ibra Al Thi Ou Sé Ab Ama Ou Bou Mo Sou La Mou Al Fo Sa Ka Si Mor Na Ba Dao Ke Ti",
        "ma ba la di ka ra ko sa",
        "dou ou ane ba y é ou ar ou dy mi né ko ssa ry fa ri",
    ),
    "last": _parts(
        "Diallo Barry Bah Camara Sow Keïta Traoré Condé Bangoura Soumah Sylla Touré Kourouma "
        "Doumbouya Kaba Cissé Kanté Baldé Diakité Sacko Fofana Sangaré Konaté Kouyaté Diabaté "
        "Soumaoro Yansané Fadiga Chérif Bamba Koné Ndiaye Diop Fall Sarr Mbaye Guèye Faye Seck",
        "Ba Ca Ko Dia Sou Tra Kou Dou Ka Fo Sa Ya Fa Che Ba Kan Gbo Mo La Ti Bo Se Nia Ke Sy",
        "ma ra ba ko la na so ta gou man ",
        "ré ra té ta ba ko gou ya ssa ndé ra ma ro té né ka ssé llo h",
    ),
}

# Central Africa: Central African Republic, Cameroon, Congo (French given names and
# Sango, Gbaya, Banda, Yakoma family names).
CENTRAL = {
    "female": _parts(
        "Grâce Chantal Josiane Prisca Mireille Nadège Christelle Estelle Odile Clarisse Rosine "
        "Sandrine Béatrice Solange Pélagie Brigitte Yvette Germaine Henriette Léontine Flore "
        "Rachelle Clémence Sylvie Nathalie Félicité Victorine Perpétue Octavie Huguette",
        "Ro Jo Pé Cla Gi Ma Li Nadi Chri Mi Su Ber Fer Ga Vi Ju Ar Lu Ta Do Bé Ce Ré Ag Hor Eu "
        "Sté Pau Jac Mar Nor Ghi Al Co",
        "se la ri li na ti de lé ro ga no",
        "line ette elle ine iane ie ienne ette ande ise aine ia ence ette onie",
    ),
    "male": _parts(
        "Rodrigue Brice Jonas Serge Didier Armel Blaise Thierry Hervé Fabrice Junior Crépin "
        "Firmin Aimé Landry Christian Patrick Martial Eric Jean Gildas Parfait Fiacre Ghislain "
        "Romaric Saturnin Anicet Symphorien Lambert Bienvenu",
        "Ro Bri Ar Fir Lan Gil Sa Ani Ger Ma Clo Ba Fré Dé Gué Her Lu Mo Ti Va Ju Al Ber Cé Dan "
        "Ed Fa Gé Hon Léo Nor Pa Ra Sté Ze",
        "ma ri de bé li na ro ga no",
        "ic in ert ard el ien ain on ice as ès ime ier ce rd ent",
    ),
    "last": _parts(
        "Yakoma Ndakala Zanga Kossi Mbaïkoua Feidangamo Ngaïssona Namsené Wakanga Yangana Ndanga "
        "Gbazi Touadéra Dologuélé Ngouandjika Sélémby Doko Gbadamassi Koyambounou Ngbongo "
        "Zoumaldé Kolingba Bozizé Patassé Ngaba Mandaba Gbakoua Yéténé Gbaya Nzapayéké Dacko",
        "Nga Mba Gba Zo Ya Ko Nda We Do Se Bo Ma Ngo Kpa Fei Na Wa Dje Sa Ze Te Yé Mo",
        "ka nga la ma ko di ssa ya ba gou",
        "ra la ma ssona ndé né ké zé mba ngo koua kpa ngui ndji ba ya",
    ),
}

# The Sahel: Mali, Niger, Chad, Burkina Faso (Bambara, Songhai, Hausa, Mossi, Chadian Arabic).
SAHEL = {
    "female": _parts(
        "Aïssata Hadiza Zeinabou Halima Mariam Hawaou Rakiatou Balkissa Salamatou Haoua Fati "
        "Zara Achta Khadidja Ramatou Hassana Assétou Korotoumou Bintou Djénéba Nafissatou Amina "
        "Fadimata Hindou Mariétou Safiétou Habsatou Zalika Mahadia Oumoulkheiri Soumaïla",
        "Ha Za Ra Ba Sa Ko Dje Na Fa Hi Ma Ac Kha Ta Zou Ou Ka Da Mou Ro Ze",
        "li di ki ssa ma ra la ba",
        "ta tou sa ma za ba ya dja ouda na ïssa iza ita wa",
    ),
    "male": _parts(
        "Mahamat Abakar Issa Moussa Oumarou Hamidou Boubacar Issoufou Abdoulaye Hassane Idriss "
        "Adoum Zakaria Souleymane Yacouba Seydou Boureima Harouna Salifou Mahamadou Alassane "
        "Brahim Saleh Djibrilla Ousseini Tahirou Garba Hamani Younoussa Ali",
        "Ma Ha Is Ou Bou Ab Ad Za Sou Ya Sey Ha Sa Dji Ta Ga Ya Mou Ko Ba Hi",
        "ma ri ka la di sa ba",
        "mat kar ssa rou dou fou ane riss oum ya ba ma ni na ssi",
    ),
    "last": _parts(
        "Maïga Cissé Sidibé Dembélé Ouédraogo Sawadogo Zongo Kaboré Issoufou Hassane Coulibaly "
        "Diarra Sanogo Touré Haïdara Tandina Garba Idrissa Souley Mahamadou Saleh Abdelkerim "
        "Adoum Kaka Nikiéma Compaoré Ouattara Yaméogo Tapsoba Zida Sankara Ilboudo Konaté",
        "Ou Sa Zo Ka Ni Com Ya Tap Zi Il Ta Ha Ga Dem Si Dia Sou Ma Ko Bo Ke",
        "ra wa dé bou mé go ssa la",
        "ogo oré éma ba ou a ane ma go dogo ra gui ndé kéré",
    ),
}

# Anglophone: Nigeria and Ghana (Igbo, Yoruba, Hausa, Akan names and English given names).
ANGLOPHONE = {
    "female": _parts(
        "Blessing Joy Precious Esther Ruth Ngozi Chioma Adaeze Amaka Funmilayo Folake Bukola "
        "Yetunde Aisha Hauwa Zainab Ama Abena Akosua Efua Adwoa Comfort Patience Mercy Gift "
        "Favour Peace Happiness Deborah Grace",
        "Chi Ada Nne Amu Fun Fo Bu Ye Ife Temi Ola Ado Ake Efu Ya Nko Ebe Uju Ifu Oye Ngo",
        "ne ma la so ye ka mi di",
        "oma eze aka ola ayo ke ni nde ba fa mi ra sola toke",
    ),
    "male": _parts(
        "Chinedu Emeka Chukwuemeka Obinna Ikenna Oluwaseun Babatunde Adebayo Olumide Musa "
        "Ibrahim Abubakar Kwame Kofi Kwaku Yaw Kojo Kwabena Samuel Emmanuel Godwin Sunday Uche "
        "Tunde Segun Femi Bashir Nnamdi Kelechi Tochukwu",
        "Chi Eme Obi Ike Olu Baba Ade Kwa Ko Seg Fe Ka Ebu Ugo Nna Tobe Ayo Dapo Iya",
        "ne ka se wa tu mi",
        "du ka nna seun nde bayo mide me fi ku jo bena chi ndu emi",
    ),
    "last": _parts(
        "Okafor Eze Osagie Okonkwo Adeyemi Ogunleye Mensah Owusu Boateng Asante Bello Danjuma "
        "Okeke Nwosu Obi Chukwu Adewale Oladipo Balogun Afolabi Yusuf Usman Aliyu Osei Agyeman "
        "Appiah Ofori Amoah Darko Nwachukwu Igwe Onyeka Ekwueme Akinola",
        "Oka Oko Ade Ogu Nwa Ola Afo Ba Bo Asa Ago Ofo Ama Da Ige Oye Aki Oba Ude Eme",
        "ne la ye wu ka si mo lu",
        "for nkwo yemi leye sah su teng nte lo ke wale dipo bi nola lu mah ma",
    ),
}

REGIONS = {"west": WEST, "central": CENTRAL, "sahel": SAHEL, "anglophone": ANGLOPHONE}
# Which naming region a citizen of a country most likely draws from.
REGION_OF_COUNTRY = {
    "GN": "west",
    "SN": "west",
    "CI": "west",
    "CF": "central",
    "CM": "central",
    "CG": "central",
    "ML": "sahel",
    "NE": "sahel",
    "TD": "sahel",
    "BF": "sahel",
    "NG": "anglophone",
    "GH": "anglophone",
}


# What composing leaves and no name of the region has: a syllable said twice in a row
# ("Babababa"), vowels that do not follow each other ("Haritaé"), a very long name.
_UNLIKE = re.compile(r"(\w{2,3})\1|[aeéè][aeéèo]|[io][aeéèi]|i[aeéè][aeéè]|^.{12,}$")


def _composed(parts: Parts, rng: random.Random) -> list[str]:
    """Start + (middles) + ending, the likely ones, in a shuffled order."""
    names = [
        name
        for combination in itertools.chain(
            itertools.product(parts.starts, parts.endings),
            itertools.product(parts.starts, parts.middles, parts.endings),
            itertools.product(parts.starts, parts.middles, parts.middles, parts.endings),
        )
        if not _UNLIKE.search((name := "".join(combination).capitalize()).lower())
    ]
    rng.shuffle(names)
    return names


def pool(parts: Parts, size: int, seed: str) -> list[str]:
    """`size` names that normalise to distinct single words: the common ones first."""
    seen: set[str] = set()
    names: list[str] = []
    for name in itertools.chain(parts.common, _composed(parts, random.Random(seed))):
        tokens = crypto.name_tokens(name)
        if len(tokens) != 1 or len(tokens[0]) < 3 or tokens[0] in seen:
            continue
        seen.add(tokens[0])
        names.append(name)
        if len(names) == size:
            break
    return names


def zipf_weights(n: int, s: float = ZIPF_S) -> list[float]:
    """Cumulative weights of ranks 1..n, for random.choices(cum_weights=...)."""
    return list(itertools.accumulate(1 / rank**s for rank in range(1, n + 1)))


class Names:
    """The pools of every region, with their cumulative Zipf weights."""

    def __init__(
        self, first_size: int = FIRST_NAMES_PER_POOL, last_size: int = LAST_NAMES_PER_POOL
    ) -> None:
        self.pools: dict[tuple[str, str], list[str]] = {}
        self.weights: dict[tuple[str, str], list[float]] = {}
        for region, kinds in REGIONS.items():
            for kind, parts in kinds.items():
                size = last_size if kind == "last" else first_size
                names = pool(parts, size, f"{region}-{kind}")
                self.pools[region, kind] = names
                self.weights[region, kind] = zipf_weights(len(names))

    @staticmethod
    def region(citizenship: str) -> str:
        return REGION_OF_COUNTRY.get(citizenship, "west")

    def draw(self, rng: random.Random, region: str, kind: str, k: int) -> list[str]:
        """k names of a region's pool ('female', 'male' or 'last'), Zipf-distributed."""
        return rng.choices(self.pools[region, kind], cum_weights=self.weights[region, kind], k=k)

    def all(self) -> set[str]:
        return {name for names in self.pools.values() for name in names}
