"""General and older-register cues per label, written from the label definitions alone.

`lexicon` was written while reading modern fan fiction, and it shows: it knows "CW" and
"whump" but not "the lash", "consumption" or "the asylum". This table adds the everyday
and nineteenth-century English each label's definition implies, so that a novel from
1850 and a fic from 2020 both give the trained model (`model`) evidence to weigh.

It was written before any of the held-out gold files existed and is not edited to fit
them: the model learns how much each kind of evidence counts, the words stay general.
Weights follow `lexicon.Term`: strong cues (0.7 and up) are nearly enough on their own,
weak ones (0.2 to 0.4) only count for much in company — which is what the model's
count and density features let it learn.
"""

from __future__ import annotations

from .lexicon import OBJ, Term, _terms

GENERAL_TERMS: list[Term] = [
    *_terms(
        "violence",
        (r"flogg(?:ed|ing)|scourg(?:e|ed|ing)|horsewhip\w*|cudgel\w*|bludgeon\w*", 0.8, 2),
        (rf"(?:struck|strikes?|striking|smote|smit(?:e|ten)) (?:{OBJ}|him down|her down)", 0.6, 1),
        (r"knock(?:s|ed|ing)? (?:him|her|them|me) down|felled (?:him|her)", 0.6, 1),
        (r"blows? (?:fell|rained)|a (?:heavy|terrible|savage) blow", 0.65, 1),
        (r"murder(?:s|ed|er|ers|ing|ous)?", 0.6, 1),
        (r"assassin\w*|slaughter(?:ed|ing)? (?:the|a|his|her|their) (?:men|people|family)", 0.7, 1),
        (r"fought|fighting|brawl\w*|scuffle\w*|struggle[sd]? with", 0.35, 1),
        (r"shot (?:him|her|them|dead)|fired (?:at|upon)|musket\w*|pistols?|rifles?", 0.4, 1),
        (r"sword\w*|daggers?|bayonet\w*|knives|knife", 0.25, 1),
        (r"wounded|wounds?|bruised|bruises", 0.3, 1),
        (r"hanged|hanging|gallows|scaffold|guillotin\w*|executed|execution", 0.55, 1),
        (r"battle|war\b|soldiers?", 0.2, 0),
        (r"brutal\w*|savage(?:ly)?|violent(?:ly)?|violence", 0.4, 1),
        (r"throttled|seized (?:him|her) by the throat", 0.75, 2),
    ),
    *_terms(
        "death",
        (r"died|dies|dead|death|deaths|deceased|departed this life", 0.5, 1),
        (r"corpses?|dead bod(?:y|ies)|the body of|remains of", 0.6, 1),
        (r"funerals?|burial|buried|burying|coffins?|graves?|churchyard|tomb\w*", 0.45, 0),
        (
            r"mourn\w*|widow(?:ed|er)?|orphan(?:ed|s)?|bereave\w*|his late wife|her late husband",
            0.35,
            0,
        ),
        (r"perish(?:ed|es|ing)?|drowned|was killed|were killed|killed", 0.6, 1),
        (r"lifeless|breathed (?:his|her) last|gave up the ghost|passed away", 0.75, 1),
        (r"inquest|coroner", 0.6, 0),
    ),
    *_terms(
        "dying",
        (r"dying|deathbed|death-bed|last breath|last moments|last hours", 0.6, 1),
        (r"on (?:his|her|their) death ?bed|sinking fast|could not live|would not live", 0.7, 1),
        (r"consumption|fatal (?:illness|disease|wound)|mortally|incurable", 0.55, 1),
        (r"the end was near|at the point of death|death rattle|expir(?:e|ed|ing)", 0.6, 1),
    ),
    *_terms(
        "blood",
        (r"blood(?:y|ied|ied|stained|-stained|shot)?|bleed(?:s|ing)?|bled", 0.45, 1),
        (
            r"pools? of blood|covered (?:in|with) blood|blood (?:gushed|poured|streamed|spurted)|"
            r"gore|gory",
            0.85,
            2,
        ),
    ),
    *_terms(
        "suicide",
        (r"suicid\w*|self-destruction|self-murder|felo de se", 0.85, 1),
        (
            r"(?:kill(?:ed|s|ing)?|drown(?:ed|s|ing)?|hang(?:ed|s|ing)?|poison(?:ed|s|ing)?|"
            r"destroy(?:ed|s|ing)?|shot|shoot(?:s|ing)?) {0,1}(?:him|her|my|them|your|one)"
            r"sel(?:f|ves)",
            0.85,
            1,
        ),
        (
            r"(?:end|take|took|taking) (?:his|her|my|their) (?:own )?life|put an end to "
            r"(?:his|her|my) (?:life|existence)",
            0.8,
            1,
        ),
        (r"wish(?:ed)? (?:i|he|she) (?:were|was) dead|longed for death|welcome death", 0.55, 0),
    ),
    *_terms(
        "self-harm",
        (
            r"(?:cut|cuts|cutting|burn(?:ed|t|s|ing)?|hurt(?:s|ing)?|harm(?:s|ed|ing)?) {0,1}"
            r"(?:him|her|my|them)sel(?:f|ves)",
            0.6,
            1,
        ),
        (r"self-?harm\w*|self-?injur\w*|razor blades?", 0.85, 1),
    ),
    *_terms(
        "pregnancy",
        (
            r"pregnan\w*|with child|expecting a (?:child|baby)|in the family way|"
            r"her confinement|the unborn",
            0.75,
            1,
        ),
        (r"morning sickness|trimester|bump|due date", 0.4, 1),
    ),
    *_terms(
        "childbirth",
        (
            r"in labou?r|labou?r pains|gave birth|giving birth|give birth|was delivered of|"
            r"brought (?:forth|into the world)|the midwife|midwives|accouchement|lying-in",
            0.7,
            1,
        ),
        (r"newborn|new-born|born (?:to|dead)|birth", 0.3, 1),
    ),
    *_terms(
        "miscarriages",
        (r"miscarr\w*|stillborn|still-born|still birth|lost the (?:baby|child)", 0.85, 1),
    ),
    *_terms("abortion", (r"abort(?:ion|ions|ed)|terminat\w+ (?:the|her) pregnancy", 0.8, 1)),
    *_terms(
        "child-abuse",
        (r"beat(?:s|en|ing)? (?:the|a|his|her|that) (?:child|boy|girl|little)", 0.75, 1),
        (
            r"(?:starved|starving|neglected|ill-used|ill-treated) (?:child|children|boy|girl)",
            0.65,
            1,
        ),
        (r"orphanage|workhouse|charity school|the rod|caned|birch(?:ed|ing)", 0.35, 1),
        (r"child(?:ren)? (?:sold|beaten|whipped|flogged|starved)", 0.8, 1),
    ),
    *_terms(
        "abuse",
        (r"tyrant|tyranni\w*|cruel(?:ly|ty)?|ill-us(?:e|ed|age)|ill-treat\w*|mistreat\w*", 0.35, 1),
        (r"beat (?:his|her) wife|wife-beat\w*|brute", 0.55, 1),
        (r"bully|bullied|bullying|torment(?:ed|s|ing)?|abus(?:e|ed|es|ing|ive)", 0.45, 1),
        (
            r"under (?:his|her) thumb|controlling|forbade (?:her|him)|locked (?:her|him) (?:in|up)",
            0.35,
            1,
        ),
    ),
    *_terms(
        "sexual-assault",
        (
            r"ravish\w*|violat(?:e|ed|ion) (?:her|him)|seduc(?:e|ed|tion)|defil\w*|"
            r"dishonou?r(?:ed)? (?:her|him)|took advantage of (?:her|him)|"
            r"forced (?:himself|his way)",
            0.55,
            1,
        ),
        (r"ruined (?:girl|woman|maid)|fallen woman|her shame|her virtue", 0.35, 0),
    ),
    *_terms(
        "incest",
        (
            r"(?:his|her) (?:own )?(?:sister|brother|daughter|father|cousin) (?:and|as) "
            r"(?:lover|husband|wife)",
            0.5,
            1,
        ),
    ),
    *_terms(
        "racism",
        (r"slaves?|slavery|enslav\w*|slaveholder\w*|slave-?trad\w*|plantation\w*", 0.6, 1),
        (
            r"negro(?:es)?|nigg\w+|darkie\w*|darky|darkey|mulatto\w*|quadroon\w*|octoroon\w*|"
            r"coloured folks?|colored folks?|savages",
            0.8,
            1,
        ),
        (r"jews?\b|jewish|heathen|inferior race|race of|the races?", 0.25, 0),
        (r"sold (?:down|south|at auction)|auction block|trader|bill of sale|runaway", 0.4, 1),
        (r"racis\w*|racial slurs?|bigot\w*", 0.8, 1),
    ),
    *_terms(
        "sexism",
        (
            r"(?:a|the) weaker sex|woman'?s (?:place|duty|sphere)|only a woman|just a girl|"
            r"women (?:cannot|can not|are not fit|should not)",
            0.6,
            1,
        ),
        (r"sexis\w*|misogyn\w*|chauvinis\w*", 0.8, 1),
    ),
    *_terms(
        "misogyny",
        (
            r"(?:shallow|stupid|silly|foolish|vain|wretched) (?:women|woman|creatures?)|"
            r"women are (?:all|nothing|mere)|harlot|strumpet|whore\w*|slut\w*|hussy",
            0.6,
            1,
        ),
    ),
    *_terms(
        "classism",
        (
            r"pauper\w*|beggar\w*|the poor|poverty|penniless|destitut\w*|workhouse|the gutter|"
            r"low-?born|of low birth|peasants?|lower classes|the rabble|the mob",
            0.35,
            1,
        ),
        (
            r"beneath (?:him|her|them|you|us)|"
            r"not (?:fit|good enough) for (?:a|the) (?:gentleman|lady)|"
            r"common (?:people|folk)|vulgar (?:people|folk)",
            0.45,
            1,
        ),
    ),
    *_terms(
        "ableism",
        (
            r"cripple[ds]?|idiot\w*|imbecile\w*|half-?wit\w*|simpleton|deformed|deformity|"
            r"freak\w*|lame\b|retard\w*",
            0.35,
            1,
        ),
    ),
    *_terms(
        "fat-phobia",
        (r"fat (?:pig|cow|slob|lump)|too fat|so fat|corpulen\w+|obes\w+|gross(?:ly)? fat", 0.5, 1),
    ),
    *_terms(
        "body-hatred",
        (
            r"hat(?:e|ed|es|ing) (?:my|his|her|their) (?:own )?(?:body|face|reflection|looks)|"
            r"disgust(?:ed)? (?:with|by) (?:my|his|her)(?:self| own (?:body|face|reflection))|"
            r"loath(?:e|ed|ing) (?:my|his|her) (?:own )?(?:body|reflection|face)",
            0.75,
            1,
        ),
        (r"ugly|hideous|repulsive|revolting", 0.2, 1),
    ),
    *_terms(
        "eating-disorders",
        (
            r"anorex\w*|bulimi\w*|binge\w*|purg(?:e|ed|ing)|starv(?:e|ed|ing) (?:him|her|my|them)"
            r"sel(?:f|ves)|skipp(?:ed|ing) (?:meals|dinner|lunch|breakfast)|calories",
            0.6,
            1,
        ),
        (r"refus(?:e|ed|ing) to eat|would not eat|could not eat|ate nothing", 0.4, 1),
    ),
    *_terms(
        "mental-illness",
        (
            r"madness|madman|madwoman|insan\w+|lunatic\w*|lunacy|demented|deranged|maniac\w*|"
            r"asylum\w*|madhouse|bedlam|raving",
            0.6,
            1,
        ),
        (
            r"mad\b|out of (?:his|her|my) mind|lost (?:his|her) (?:mind|reason|senses)|"
            r"brain fever|nervous (?:fever|prostration|attack|breakdown|disorder)|hysteri\w+",
            0.5,
            1,
        ),
        (
            r"melanchol\w*|despondenc\w*|despair\w*|depress\w*|low spirits|hallucinat\w*|"
            r"delusion\w*|delirium|delirious|monomania\w*",
            0.4,
            1,
        ),
        (r"panic attacks?|anxiety|ptsd|flashbacks?|dissociat\w*|psychos\w+|psychotic", 0.6, 1),
    ),
    *_terms(
        "kidnapping",
        (
            r"kidnap\w*|held (?:captive|prisoner|hostage)|hostages?|ransom|imprison(?:ed|ment)?|"
            r"locked (?:him|her|them) (?:in|up)|prisoner|captive|captivity",
            0.5,
            1,
        ),
    ),
    *_terms(
        "abduction",
        (
            r"abduct\w*|carried (?:her|him|them) off|carried off|spirited away|snatch(?:ed)? "
            r"(?:away|her|him)|stol(?:e|en) (?:away|the child)|lured (?:her|him) away|"
            r"seized and (?:carried|dragged)",
            0.6,
            1,
        ),
    ),
    *_terms(
        "dissection",
        (
            r"anatomi\w+|dissecting-room|charnel|resurrection men|body-?snatch\w*|grave-?robb\w*|"
            r"dissecting|scalpel",
            0.55,
            1,
        ),
    ),
    *_terms(
        "animal-death",
        (
            r"(?:horse|dog|cat|pony|mare|colt|hound|bird|sheep|pig|cow|ox|calf|lamb|animal|"
            r"beast)s? "
            r"(?:died|was killed|were killed|was shot|was dead|lay dead|fell dead|had to be shot|"
            r"was destroyed)",
            0.8,
            1,
        ),
        (r"slaughter(?:ed|ing|house|houses)?|butcher(?:ed|ing)|killing-beds?|carcass\w*", 0.45, 1),
        (
            r"shot (?:the|a|his|her) (?:horse|dog|hare|bird|deer|fox|stag)|the hunt|hunting|"
            r"hounds|the kill",
            0.35,
            1,
        ),
    ),
    *_terms(
        "animal-cruelty",
        (
            r"(?:whip(?:ped|ping|s)?|flogg(?:ed|ing)|beat(?:en|ing|s)?|lash(?:ed|ing)?|"
            r"kick(?:ed|ing|s)?|thrash(?:ed|ing)?) (?:the|a|his|her|that|poor) "
            r"(?:poor |old |tired )?"
            r"(?:horse|dog|cat|pony|mare|colt|beast|animal|donkey|ass|mule)s?",
            0.8,
            2,
        ),
        (
            r"bearing[- ]reins?|check[- ]reins?|overwork\w*|overload\w*|over-?driven|"
            r"broken-?kneed|lame horse|cruelty to animals|ill-used horse",
            0.6,
            1,
        ),
        (r"the whip|whipped|whipping|spurs|blinkers|the bit", 0.25, 1),
    ),
    *_terms(
        "medical",
        (
            r"doctors?|physicians?|surgeons?|apothecar\w+|medical man|the nurse|nursed|nursing",
            0.4,
            1,
        ),
        (
            r"fever\w*|typhus|typhoid|cholera|smallpox|small-pox|consumption|illness|ill\b|sick"
            r"(?:ness|bed|room)?|disease\w*|malady|infirmary|hospital\w*|invalid",
            0.35,
            1,
        ),
        (
            r"medicine\w*|laudanum|opiates?|bled (?:him|her)|leech(?:es)?|amputat\w*|operation|"
            r"surgery|surgical|bandag\w*|splint\w*|wound was|dressed (?:the|his|her) wound",
            0.45,
            1,
        ),
    ),
    *_terms(
        "torture",
        (
            r"tortur\w*|rack\b|thumbscrew\w*|the lash|burn(?:ed|t) (?:him|her) with|"
            r"branded|branding iron|put to the question",
            0.55,
            2,
        ),
    ),
    *_terms(
        "pornographic-content",
        (
            r"(?:in|into|to) (?:his|her|their) bed(?:s|room)?|undress(?:ed|ing)? (?:her|him)|"
            r"(?:her|his) naked",
            0.2,
            1,
        ),
    ),
    *_terms(
        "homophobia",
        (
            r"sodom\w*|unnatural (?:vice|passion|affection)|pervert\w*|fag\w*|poof\w*|dyke\w*|"
            r"queer\w*|homo\b|gay\b|lesbian\w*|bisexual\w*",
            0.35,
            1,
        ),
    ),
    *_terms(
        "transphobia",
        (
            r"tranny|trannies|deadnam\w*|misgender\w*|not a real (?:man|woman)|"
            r"it's a man in a dress",
            0.8,
            1,
        ),
    ),
    *_terms(
        "underage",
        (r"(?:child|girl|boy) of (?:twelve|thirteen|fourteen|fifteen)|child bride", 0.3, 1),
    ),
]
