"""Word lists the text and notes detectors use: what signals each label, and what only
looks like it does.

Every entry is general English as fan fiction uses it; nothing here may name a character,
a fandom or a phrase from one particular work, because the detector must work on works
nobody has read yet.

A `Term` carries two numbers. `weight` is how sure one occurrence makes us that the label
applies (0..1). `strength` is how intense the passage is when the term is happening on the
page: 0 is talk about the thing ("a funeral", "sex"), 1 is the thing happening ("he was
killed"), 2 is a vivid detail ("pools of blood"). `detect` lowers both when the term is
negated, hypothetical, remembered or a joke.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

OBJ = r"(?:him|her|them|me|you|us|someone|somebody|anyone|everyone)"
POSS = r"(?:his|her|their|my|your|our|its|the|a|an)"
SELF = r"(?:him|her|my|them|your|our|one|it)sel(?:f|ves)"


@dataclass(frozen=True)
class Term:
    label: str
    pattern: str
    weight: float
    strength: int = 1
    # How sure the same words make us when an author writes them in a summary or note:
    # an author who brings up sex or a death in a note is signalling it, even in words
    # that would be only a passing mention inside the story.
    notes_weight: float | None = None
    # Kill/die words that people use as banter and hyperbole ("I'll kill you").
    jokeable: bool = False

    @property
    def weight_in_notes(self) -> float:
        return self.weight if self.notes_weight is None else self.notes_weight


def _terms(label: str, *rows: tuple) -> list[Term]:
    """Rows are (pattern, weight[, strength[, notes_weight[, jokeable]]]); patterns are
    lowercase regexes without capturing groups, matched at the start of a word."""
    terms = []
    for row in rows:
        pattern, weight, *rest = row
        strength = rest[0] if len(rest) > 0 else 1
        notes = rest[1] if len(rest) > 1 else None
        joke = rest[2] if len(rest) > 2 else False
        terms.append(Term(label, pattern, weight, strength, notes, joke))
    return terms


# --- Phrases that contain a trigger word but mean something else -------------------------
# They are blanked out (same length, so offsets stay valid) before any label is matched.
IDIOMS: tuple[str, ...] = (
    # death / killing used as hyperbole
    r"killing (?:time|it)",
    r"kill(?:s|ed)? (?:some |the )?time",
    r"kill(?:ing|s|ed)? (?:the|a) (?:mood|vibe|lights?|engine|music|buzz|conversation)",
    r"kill(?:ing)? two birds",
    r"(?:enough|strong enough|potent enough)[\w\s]{0,30} to kill a (?:horse|elephant|bull)",
    r"kill a (?:horse|elephant|bull)",
    r"(?:could|would) kill for (?:a|an|some)",
    r"dressed to kill",
    r"killing machines?",
    r"(?:is|are|was|be|been|were|'re|'s|'m) killing (?:me|him|her|them|us|it)",
    r"(?:fic|fics|story|series|work|fandom|ship|thread|chat|server|account|blog|tag|group|"
    r"project|wip|wips|computer|laptop|phone|battery|joke|meme|trend) (?:is|was|are|were|"
    r"seems|feels|looks) (?:\w+ )?dead",
    r"hearts? (?:stopped|stops|stopping|skipped|skips|stuttered|stutters)(?= (?:a beat|for a|"
    r"when|at the|at his|at her|as (?:he|she|they|i|we) |in (?:his|her|my|their) chest when))",
    r"(?:is|was|'s) killer\b",
    r"killer (?:smile|view|instinct|heels|legs|body|headache|migraine|hangover|app|idea|"
    r"deal|outfit|look|abs|bod|combo|workout|line|lines|move|moves|wave|hair)",
    r"overkill",
    r"dying (?:to|for) (?:know|see|meet|hear|try|tell|ask|get|go|find|do|be|have|eat)",
    r"(?:die|died|dying|dies) (?:of|from) (?:boredom|embarrassment|shame|laughter|"
    r"curiosity|envy|cuteness|jealousy)",
    r"to die for",
    r"die[- ]hard",
    r"(?:die|dies|died|dying) (?:down|away|out)",
    r"dying (?:light|embers?|fire|flames?|sun|day|battery|batteries|phone|breeze|"
    r"sunlight|glow|notes?|echo)",
    # things that "die": not people
    r"(?:plants?|flowers?|batteries|battery|phone|engine|car|fire|flames?|conversation|music|"
    r"wind|breeze|lights?|laughter|garden|crops|trees?|grass|signal|noise|voices?|smile|"
    r"hope|mood|fandom)(?: (?:on|in|by|of|at|near) (?:the |a |his |her |their |my )?\w+)? "
    r"(?:had |has |have |slowly |finally |quickly )?(?:died|dies|die)",
    r"died a (?:little|bit)(?: inside)?|(?:a )?(?:little )?part of (?:him|her|me|them) died",
    r"drop dead(?! of)",
    # colours "bleed": not blood
    r"(?:sky|sunset|sunrise|dawn|colou?rs?|light|ink|dye|paint|sun|horizon|clouds?) "
    r"(?:\w+ )?(?:bled|bleeds|bleeding)",
    r"dead (?:weight|tired|serious|set|end|silent|silence|quiet|center|centre|ringer|"
    r"heat|air|zone|last|wrong|asleep|on (?:his|her|their|my) feet|to the world|"
    r"giveaway|of (?:the )?night|of winter|calm|still|straight|sure|eyes|eyed|pan|panned)",
    r"drop(?:ped)? dead (?:gorgeous|sexy|handsome)",
    r"(?:over|on) my dead body",
    r"wouldn'?t be caught dead",
    r"dead in the water",
    r"beat(?:ing)? a dead horse",
    r"brain-?dead",
    r"(?:a|the) dead giveaway",
    r"(?:won'?t|wouldn'?t|will not|would not|doesn'?t|didn'?t) kill (?:you|him|her|me|us|"
    r"them|anyone)",
    r"(?:be|been|being|is|was) the death of (?:me|him|her|us|them|you)",
    r"(?:scared|bored|worried|tickled|frightened|terrified|sick|tired|love[sd]?|loving) "
    r"(?:\w+ )?to death",
    r"death (?:glares?|stares?|grip|wish)",
    r"(?:muscles?|tissue|nerves?|skin|cells?|leaves|grass|battery|batteries|phone|flowers?|"
    r"plants?|wood|branches|trees?|eyes|voice|line|signal|engine|car|air) (?:was|is|were|are|"
    r"went|looked|looks|seemed) (?:already |completely |totally |all but |practically )?dead",
    r"dead (?:leaves|grass|skin|battery|batteries|phone|flowers?|plants?|wood|branches|"
    r"tissue|cells|bolt|line|signal|languages?)",
    # blood used as an image, a family tie, or physiology
    r"bleeding[- ]hearts?",
    r"hearts? (?:bleeds?|bled)",
    r"blood[- ]?curdling",
    r"out for (?:\w+'s|his|her|their|my|your|our) blood",
    r"blood (?:rush(?:es|ed|ing)?|pound(?:s|ed|ing)?|roar(?:s|ed|ing)?|thrum(?:s|med|ming)?|"
    r"pump(?:s|ed|ing)?|rac(?:e|es|ed|ing)|sing(?:s|ing)?|boil(?:s|ed|ing)?|ran cold|"
    r"runs cold|run cold|pressure|type|sugar|relatives?|related|ties|line|lines|"
    r"brothers?|sisters?|oath|feud|tests?|work|draw|samples?|bank|moon|orange|red|"
    r"and sweat|, sweat)",
    r"rush(?:es)? of blood",
    r"(?:bad|young|new|blue|royal|hot|cold|first|noble|pure|half|mixed) blood",
    r"in cold blood",
    r"(?:cold|hot|warm|full|pure|half|blue|red)-blooded",
    r"(?:his|her|their|my|your|our|the) blood (?:is|was) (?:up|boiling)",
    r"bloodlines?",
    r"bloodshot",
    r"blood-?red",
    r"bloody (?:hell|idiot|fool|well|great|brilliant|stupid|mary|marys|nuisance|sure)",
    # torture as hyperbole
    r"tortur(?:ous|ously)",
    r"(?:pure|sheer|absolute|utter|such|sweet|exquisite) torture",
    r"tortured (?:soul|artist|expression|look|sound|groan|moan|whine|noise|sigh|poet)",
    # violence words with other meanings
    r"attack(?:ed|ing)? (?:the|his|her|their|my) (?:food|meal|plate|problem|homework|"
    r"paperwork|mouth|lips|neck)",
    r"punch[- ]?(?:line|lines|bowl|card|drunk)",
    r"pack(?:s|ed)? a punch",
    r"beat (?:him|her|them|me|you|us) (?:to it|to the punch|at\b)",
    r"beat(?:ing)? around the bush",
    r"kick(?:s|ed|ing)? (?:him|her|them|me|you|us) out",
    r"kick(?:s|ed|ing)? (?:off|back|in|up)",
    r"shot (?:him|her|them|me|you|us|\w+) (?:a |an )?(?:look|glance|grin|smile|glare|"
    r"wink|nod|text|message)",
    r"(?:shoot|shoots|shot|shooting) (?:him|her|them|me|you|us|it|that|the idea) down",
    r"(?:a|one|another) shot of",
    r"(?:take|took|takes|taking|make|made|have|had) a stab at",
    r"stabs? of (?:\w+)",
    r"stab(?:bed|bing|s)? at (?:the |his |her |their |my |a |some )?(?:food|plate|salad|"
    r"meal|dinner|breakfast|lunch|noodles|rice|eggs|vegetables|potatoes|meat|button|"
    r"buttons|keys|keyboard|screen|fire|embers|air)",
    # similes: "hit him like a punch to the gut"
    r"like a (?:punch|blow|slap|kick|stab|knife|gunshot|bullet|sucker punch)",
    r"slap(?:s|ped|ping)? (?:\w+ )?on the (?:back|shoulder|arm|knee)|slap(?:s|ped)? (?:a|the) "
    r"(?:table|counter|desk|wall)",
    r"drown(?:s|ed|ing)? (?:in|under) (?:paperwork|work|sorrow|grief|noise|debt|love|"
    r"homework|emails|tears|self-pity)|drown(?:s|ed|ing)? (?:out|it out|him out|her out)",
    r"slash (?:fic|fics|fiction|fanfic|pairing|ship)",
    r"wound (?:up|tight|tightly|around|round|down|through)",
    r"bruised (?:ego|pride|feelings)",
    r"explosions? of (?:\w+)",
    r"chok(?:e|es|ed|ing) (?:on|back|out|up|down)",
    r"fight(?:s|ing)? (?:back )?(?:tears|a smile|a grin|a laugh|the urge|off)",
    r"(?:food|pillow|snowball|water|tickle) fights?",
    r"(?:violently|violent) (?:ill|sick|shak\w*|shiver\w*|blush\w*|red)",
    r"blown away",
    r"(?:took|take|takes|taking) (?:a |the )?hit (?:of|from)",
    # medical words with other meanings
    r"in stitches",
    r"nurs(?:e|es|ed|ing) (?:a|his|her|the|their|my) (?:drink|beer|glass|cup|mug|grudge|"
    r"hangover|bottle)",
    r"depressions? in (?:the|his|her|a)",
    r"great depression",
    r"pregnant (?:pause|silence)",
    r"abort(?:ed|ing|s)? (?:the|this|that|our|their|his|her|a) (?:mission|plan|op|"
    r"operation|launch|attempt|sequence|run)",
    r"suicide (?:mission|squad|run|doors?)",
    r"(?:substance|drug|alcohol|alcoholic|steroid) abuse",
    r"physical therapy",
    # sexual words with other meanings
    r"cock(?:s|ed|ing)? (?:his|her|their|my|your|an|one|a) (?:head|brow|eyebrow|hip|gun|"
    r"pistol|ear|fist)",
    r"cocked",
    r"(?:a|such a|being a|like a|what a|total|real|kind of a|sort of a|little|you|ya|that|"
    r"this|stupid|absolute|smug|fucking|big) dicks?",
    r"dick (?:move|around|about|head)",
    r"(?:what|who|how|why|where) the fuck",
    r"give a fuck",
    r"grave (?:mistake|danger|error|concern|tone|voice|expression|look|face|matter|news|"
    r"injustice|consequences|doubts|reservations|threat|situation|risk)",
    r"(?:a|the) (?:grave|serious) (?:mistake|error)",
    r"buried (?:his|her|their|my|your) (?:face|head|nose|hands?|fingers|feelings)",
    r"buried (?:in|under|beneath) (?:work|paperwork|blankets|pillows|books|sheets)",
    r"lashing out|lash(?:ed|es)? out|lashing rain|lashed to",
    r"captive audience",
    rf"cut(?:s|ting)? {SELF} (?:on|shaving|while|by accident|accidentally|slicing|chopping)",
    r"capture(?:d|s)? (?:his|her|their|my|your|the) (?:attention|heart|interest|"
    r"imagination|gaze|lips|mouth|moment|essence|likeness|light|image)",
)

# --- Context cues --------------------------------------------------------------------------
NEGATORS = (
    r"not|no|never|nobody|none|nothing|neither|nor|without|barely any|hardly any|"
    r"\w+n't|cannot|no one|no-one"
)
MODALS = (
    r"would|could|might|may|will|shall|should|must|can|'d|'ll|going to|gonna|"
    r"want to|wants to|wanted to|try to|tries to|trying to|threaten(?:s|ed)? to|"
    r"afraid|fear|fears|feared|worried|worry|imagine|imagines|imagined|rather|"
    r"risk|chance|in case|lest|whether|wish|hope|hopes|about to|almost|nearly"
)
CONDITIONALS = r"if|unless|what if|in case|as if|as though|even if|whether"
# Told about rather than shown: still a warning, but only a mention of it.
REPORTED = (
    r"heard|hears|hear|hearing|rumou?rs?|rumou?red|news|stories|story|talk|gossip|"
    r"reports?|reported|read about|learned|learnt|found out"
)
FLASHBACK = (
    r"years ago|long ago|back then|back when|used to|in (?:his|her|their|my) "
    r"(?:youth|childhood|past)|as a (?:child|kid|boy|girl|teenager)|when (?:he|she|they|"
    r"i|we) (?:was|were) (?:young|little|small|a (?:child|kid|boy|girl|teenager)|(?:only )?"
    r"(?:\d+|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen))|"
    r"flashback|remember(?:s|ed|ing)?|memor(?:y|ies)|recall(?:s|ed)?|"
    r"nightmares?|dream(?:s|ed|t)?|all this time|at the time"
)
JOKE_CUES = (
    r"jok(?:e|es|ed|ing|ingly)|teas(?:e|es|ed|ing|ingly)|laugh(?:s|ed|ing|ter)?|"
    r"grin(?:s|ned|ning)?|deadpan(?:s|ned)?|smirk(?:s|ed|ing)?|kidding|quip(?:s|ped)?|"
    r"lol|haha\w*|rolls? (?:his|her|their|my) eyes|mock(?:s|ed|ing|ingly)?|playful\w*|"
    r"banter|chuckl\w+|snort(?:s|ed)?|dramatic(?:ally)?|sarcas\w+"
)
INTENSITY = (
    r"agon(?:y|izing|ising|ized|ised)|scream(?:s|ed|ing)?|shriek\w*|excruciating|"
    r"writh(?:e|es|ed|ing)|gush\w*|spurt\w*|mangled|shatter\w*|crushed|crunch\w*|"
    r"splinter\w*|torn (?:open|apart)|ripp(?:ed|ing) (?:open|apart)|entrails|intestines|"
    r"viscera|guts|gore|sob(?:s|bed|bing)|wail(?:s|ed|ing)?|convuls\w+|"
    r"blood[- ]?curdling|gurgl\w+|severed|dismember\w*|disembowel\w*|mutilat\w+|"
    r"carnage|massacre\w*|butcher\w*|soaked|drenched|pools? of"
)
# A paragraph with two explicit sexual terms (strength 2), or sexual words adding up to this
# much weight, is a sex scene, which changes how we read rough words in it ("pinned",
# "bruises", "choke").
SEXUAL_SCENE_MIN_TERMS = 2
SEXUAL_SCENE_MIN_WEIGHT = 1.0

# --- Terms per label --------------------------------------------------------------------------
TERMS: list[Term] = [
    *_terms(
        "pornographic-content",
        (r"cocks?", 0.8, 2),
        (r"dicks?", 0.65, 2),
        (r"penis(?:es)?|clit(?:oris)?|puss(?:y|ies)|cunt|vulva|labia|foreskin", 0.75, 2),
        (r"orgasm\w*|ejaculat\w+|cum(?:s|ming|med)?|semen|pre-?cum|precome", 0.8, 2),
        (r"climax(?:ed|es|ing)?", 0.45, 1),
        (r"erections?|hard-?ons?|boners?", 0.8, 2),
        (r"lube|lubricant|condoms?", 0.8, 2),
        (r"blow ?jobs?|hand ?jobs?|rimm(?:ing|ed)|fellatio|cunnilingus|deep-?throat\w*", 0.85, 2),
        (r"nipples?", 0.55, 2),
        (r"thrust(?:s|ed|ing)? (?:into|inside|deep|harder|faster|up)", 0.55, 2),
        (r"moan(?:s|ed|ing)?", 0.3, 1),
        (
            r"(?:works?|worked|working|stretch(?:es|ed|ing)?|finger(?:s|ed|ing)?) "
            r"(?:him|her|them|me|you) open",
            0.85,
            2,
        ),
        (rf"fuck(?:s|ed|ing) {OBJ}\b(?! (?:up|over|off|around|with))", 0.65, 2, 0.7),
        (r"fuck(?:s|ed|ing)? each other", 0.7, 2, 0.7),
        (
            r"(?:good|quick|hard|great|best|rough|decent|second best|easy) (?:fuck|lay|shag)|"
            r"for a (?:fuck|shag)|fuck-?buddies|fuck-?buddy",
            0.45,
            0,
            0.65,
        ),
        (
            r"snap(?:s|ped|ping)? (?:his|her|their) hips|roll(?:s|ed|ing)? (?:his|her|their) "
            r"hips|grind(?:s|ing)? (?:against|forward|into|down|up)|rut(?:s|ted|ting)? "
            r"(?:against|into|forward)",
            0.55,
            2,
        ),
        (
            r"pulls? out of (?:him|her)|slid(?:es|ing)? into (?:him|her)|inside (?:him|her) "
            r"(?:again|deeper)",
            0.6,
            2,
        ),
        (r"sex(?:ual)? scenes?|smut|porn\w*|pwp", 0.45, 0, 0.7),
        (r"(?:have|has|having|had) sex|sex", 0.3, 0, 0.6),
        (r"sexual(?:ly)?", 0.3, 0, 0.45),
        (
            r"(?:slept|sleeping|sleep|sleeps) (?:together|with (?:him|her|them|you|me|"
            r"someone|anyone|everyone|his|her|their|my))|sleep(?:s|ing)? around|hook(?:s|ed)? "
            r"up with",
            0.3,
            0,
            0.6,
        ),
        (r"naked|nude", 0.3, 1),
        (r"straddl\w+|grop(?:e|es|ed|ing)", 0.35, 1),
        (r"foreplay|afterglow", 0.35, 0),
    ),
    *_terms(
        "violence",
        (r"stab(?:s|bed|bing)?", 0.8, 2),
        (
            rf"slit(?:s|ting)?(?: open)? (?:\w+ ){{0,3}}throats?|cut(?:s|ting)? (?:open )?"
            rf"(?:{POSS}|\w+'s) (?:\w+ )?throats?",
            0.9,
            2,
        ),
        (
            rf"(?:break|breaks|broke|breaking|snap|snaps|snapped|snapping) (?:{POSS}|\w+'s) "
            r"necks?",
            0.85,
            2,
        ),
        (r"strangl\w+|throttl\w+|garrot\w+", 0.8, 2),
        (rf"chok(?:e|es|ed|ing) {OBJ}\b", 0.6, 1),
        (r"punch(?:es|ed|ing)?", 0.6, 1),
        (rf"kick(?:s|ed|ing)? {OBJ}\b", 0.65, 1),
        (rf"beat(?:s|en|ing)? (?:{OBJ} )?(?:up|bloody|senseless|to death|half to death)", 0.8, 1),
        (rf"beat(?:s|en|ing)? {OBJ}", 0.45, 1),
        (
            rf"(?:slam(?:s|med|ming)?|shov(?:e|es|ed|ing)|hurl(?:s|ed|ing)?|threw|throws?) "
            rf"{OBJ} (?:into|against|to the ground|down)",
            0.45,
            1,
        ),
        (r"(?:sexual )?assault(?:s|ed|ing)?", 0.6, 1),
        (r"slap(?:s|ped|ping)?", 0.5, 1),
        (
            r"(?:was|were|got|been|get|gets|getting) shot|shot (?:in|through) (?:the|his|her|"
            r"their) \w+",
            0.8,
            1,
        ),
        (rf"knock(?:s|ed|ing)? {OBJ} (?:out|unconscious|senseless|to the ground)", 0.6, 1),
        (
            r"within an inch of (?:his|her|their) li(?:fe|ves)|tore (?:out|open) (?:his|her|its|"
            r"their|\w+'s) throat",
            0.8,
            2,
        ),
        (
            r"(?:hands?|fingers) (?:closed |tightened |wrapped )?(?:around|round) (?:his|her|their|"
            r"my|\w+'s) (?:throat|neck)",
            0.45,
            1,
        ),
        (
            r"smash(?:es|ed|ing)? (?:a|the) \w+ (?:over|into|against) (?:his|her|their|\w+'s) "
            r"(?:head|face|skull)",
            0.75,
            1,
        ),
        (
            r"(?<!heart )(?<!panic )(?<!anxiety )(?<!asthma )attack(?:s|ed|ing|er|ers)?|"
            r"ambush\w*",
            0.45,
            1,
        ),
        (r"killers?", 0.55, 1, 0.55),
        (r"murder(?:s|ed|ing|er|ers|ous)?", 0.7, 1),
        (r"massacre\w*|slaughter(?:ed|ing)?|butcher(?:ed|ing)|carnage", 0.75, 2),
        (
            r"behead\w*|decapitat\w+|disembowel\w*|dismember\w*|eviscerat\w+|gutted|"
            r"impal(?:e|ed|ing)",
            0.85,
            2,
        ),
        (rf"(?:gunshots?|shot (?:{OBJ}|dead|to death)|shoot(?:s|ing)? {OBJ})", 0.75, 1),
        (r"violen(?:ce|t)", 0.55, 0),
        (r"explo(?:sion|sions|ded|de|des)", 0.45, 1),
        (r"blown (?:off|apart|up|to pieces)|blew (?:\w+ )?(?:off|apart)", 0.7, 2),
        (
            r"(?:knife|knives|blade|sword|kunai|katana|dagger|gun|pistol) (?:at|against|to|"
            rf"pressed to) (?:{POSS}|\w+'s) (?:throat|neck|head|chest|temple)",
            0.65,
            1,
        ),
        (
            r"(?:plunges?|plunged|sinks?|sank|drives?|drove|buries|buried|jams?|jammed|"
            r"thrusts?) (?:a|the|his|her|their|its) (?:kunai|knife|blade|sword|dagger|spear|"
            r"arrow|katana|bayonet)",
            0.85,
            2,
        ),
        (
            r"(?:kunai|knife|blade|sword|dagger|spear|arrow|katana|bullet)s? (?:plunges?|"
            r"plunged|sinks?|sank|sunk|slices?|sliced|slashes|slashed|cuts?|pierces?|pierced|"
            r"bites?|bit|rips?|ripped|tears?|tore|drives?|drove|slid|slides?) "
            r"(?:\w+ )?(?:into|through|deep|open|across)",
            0.8,
            2,
        ),
        (r"slash(?:es|ed|ing)? (?:at|across|open)", 0.6, 1),
        (
            r"fight(?:s|ing)?|fought|battles?|combat|brawl\w*|skirmish\w*|scuffle\w*|clash\w*",
            0.3,
            0,
        ),
        # Fresh injuries say someone was just hurt; "wounds" and "injuries" alone are as
        # often old, healed or accidental.
        (
            r"(?:broke|breaks|breaking|split|splits|splitting|busted|bloodied|cracked) "
            r"(?:his|her|their|my|your|\w+'s) (?:nose|lip|lips|jaw|arm|leg|ribs?|skull|"
            r"fingers?|wrist|knuckles|eyebrow)",
            0.55,
            1,
        ),
        (
            r"bruised|black eyes?|split lips?|broken (?:arm|arms|leg|legs|ribs?|nose|jaw|bones?|"
            r"wrists?|fingers?|collarbone)|cracked ribs?|lacerations?|gash(?:es)?|welts?|"
            r"cuts and bruises",
            0.4,
            1,
        ),
        (r"bruis(?:e|es|ing)|wounds?|wounded|injur(?:y|ies|ed)", 0.3, 1),
        (r"lashings?|flogg\w+", 0.45, 1),
        (r"bodily harm", 0.4, 0),
    ),
    *_terms(
        "death",
        (r"(?:was|were|been|being|got|get|gets|getting) (?:\w+ly )?killed", 0.85, 1),
        (rf"kill(?:s|ed|ing)? {OBJ}\b", 0.7, 1, None, True),
        (r"killed", 0.75, 1),
        (r"killings?", 0.6, 1),
        (r"kills?", 0.5, 0, 0.55, True),
        (r"kicked the bucket|bit the dust|(?:is|are|was|were) no more", 0.6, 1),
        (r"drown(?:ed|s)|(?:was|were) hanged|hanged (?:him|her|them|the)", 0.6, 1),
        (
            r"lost (?:his|her|their|my|your|our) (?:\w+ ){0,2}(?:to|in) (?:cancer|the war|"
            r"an accident|a (?:car |train )?(?:crash|accident)|illness|a fire|the fire)",
            0.75,
            1,
        ),
        (
            r"lost (?:his|her|their|my|your|our) (?:mother|father|mom|mum|dad|parents|brother|"
            r"sister|wife|husband|son|daughter|best friend|partner)",
            0.5,
            1,
        ),
        (r"murder(?:s|ed|ing)?", 0.75, 1),
        (r"died|dies", 0.8, 1, None, True),
        (
            r"(?:watch|watched|watching|saw|see|seen|seeing|let|letting|left|leave|felt) "
            r"(?:\w+ ){0,2}die",
            0.75,
            1,
        ),
        (r"die", 0.5, 0, 0.55, True),
        (r"dead", 0.7, 1, 0.7, True),
        (r"deaths?", 0.7, 0, 0.8),
        (r"corpses?|dead bod(?:y|ies)|cadavers?", 0.85, 2),
        (r"lifeless(?:ly)?", 0.6, 1),
        (
            r"funerals?|memorial(?: service)?s?|burial|headstones?|tombstones?|coffins?|"
            r"caskets?|eulog\w+|obituar\w+|wake for",
            0.7,
            0,
        ),
        (
            rf"(?:{POSS}|empty|makeshift|shallow|mass|fresh|unmarked) graves?|"
            r"graveyards?|cemeter(?:y|ies)",
            0.65,
            0,
        ),
        (r"(?:was|were|been|be|get|got) buried|buried (?:him|her|them|the bod)", 0.7, 1),
        (r"mourn(?:s|ed|ing|ers)?|condolences|bereave\w+|deceased|posthumous\w*", 0.55, 0),
        (
            r"passed away|pass(?:es)? away|lost (?:his|her|their) li(?:fe|ves)|"
            r"(?:is|are|was|were|lie|lies|lay|put|now|be) in the ground|six feet under|"
            r"killed in action|\bkia\b",
            0.7,
            1,
        ),
        (r"afterlife|pure lands?|the other side of the veil", 0.45, 0),
        (r"casualt(?:y|ies)|fatalit(?:y|ies)|death toll", 0.5, 0),
        (r"grief|griev(?:e|es|ed|ing)", 0.45, 0, 0.45),
    ),
    *_terms(
        "dying",
        (r"dying", 0.65, 1, None, True),
        (
            r"(?:last|final|dying) breaths?|death ?bed|death rattle|breath(?:es|ed|ing)? "
            r"(?:his|her|their) last",
            0.85,
            2,
        ),
        (r"bleed(?:s|ing)? out|bled out", 0.85, 2),
        (
            r"succumb(?:s|ed|ing)? to (?:his|her|their|the|its) (?:wounds?|injur(?:y|ies)|"
            r"illness|disease|infection)",
            0.8,
            1,
        ),
        (
            r"(?:die|dies|died|dying) (?:from|of) (?:his|her|their|the|these|those|its) "
            r"(?:wounds?|injur(?:y|ies)|illness|disease|infection|blood loss|fever)",
            0.8,
            1,
        ),
        (
            r"as good as dead|(?:near|close to|brink of|verge of|edge of) death|near-death|"
            r"death'?s door",
            0.7,
            1,
        ),
        (
            r"(?:heart|breathing|pulse) (?:stops|stopped|stopping|stuttered to a stop)|"
            r"stops? (?:his|her|their) heart|flatlin\w+",
            0.55,
            1,
        ),
        (r"terminal(?:ly)? ill|terminal (?:illness|diagnosis|cancer)|hospice", 0.8, 1),
        (
            r"(?:his|her|their) (?:last|final) (?:few )?(?:hours|moments|minutes|days|words)",
            0.55,
            1,
        ),
        (
            r"(?:while|as) (?:he|she|they) died|in (?:his|her|their|my) arms as (?:he|she|they) "
            r"died",
            0.7,
            1,
        ),
        (r"slipping away|fading fast|won'?t make it through the night", 0.45, 1),
    ),
    *_terms(
        "blood",
        # Vivid phrases first: where two terms start at the same word, the earlier wins.
        (
            r"pools? of blood|(?:soaked|drenched|covered|slick|caked|smeared|coated|spattered|"
            r"splattered|dripping) (?:in|with) (?:\w+ )?blood|blood (?:pool(?:s|ed|ing)?|"
            r"gush\w*|spurt\w*|pour\w*|drip(?:s|ped|ping)?|seep\w*|stream\w*|splatter\w*|"
            r"spatter\w*|everywhere)|(?:trail|spray|splatter|spatter|puddle) of blood|"
            r"cough(?:s|ed|ing)? up blood|(?:freely|heavily|profusely) bleeding|bleeding "
            r"(?:heavily|profusely|freely)|gore|gor(?:y|ier|iest)",
            0.85,
            2,
        ),
        (r"blood(?:ied|y|stained|-stained|soaked|-soaked|stains?)?", 0.75, 1),
        (r"bleed(?:s|ing)?|bled", 0.75, 1),
    ),
    *_terms(
        "torture",
        (r"tortur(?:e|ed|es|ing|er|ers)", 0.9, 1, 0.9),
        (r"interrogat(?:ion|ions|or|ors|ed|ing)", 0.3, 0),
        (
            r"waterboard\w*|thumbscrews?|pulled out (?:his|her|their) (?:finger|toe)?nails|"
            r"(?:ripp|tor)\w* out (?:his|her|their) (?:finger|toe)?nails|branded (?:him|her)",
            0.85,
            2,
        ),
        (r"lashings?|flogg\w+", 0.5, 1),
    ),
    *_terms(
        "kidnapping",
        (r"kidnap\w*", 0.9, 1, 0.9),
        (r"hostages?", 0.8, 1),
        (r"captives?|captivity|captors?", 0.75, 1),
        (
            r"(?:was|were|been|being|got|get|gets|getting) (?:\w+ly )?captured|"
            rf"captured {OBJ}\b",
            0.75,
            1,
        ),
        (
            r"held (?:captive|prisoner|hostage|for ransom)|taken (?:prisoner|captive|hostage)|"
            r"ransom",
            0.85,
            1,
        ),
        (r"prisoners?|(?:evade|escape|avoid) capture", 0.45, 0),
    ),
    *_terms(
        "abduction",
        (r"abduct\w*", 0.9, 1, 0.9),
        (r"snatched (?:him|her|them|the (?:child|kid|boy|girl|baby))", 0.6, 1),
    ),
    *_terms(
        "medical",
        (r"hospital(?:s|ised|ized|isation|ization)?", 0.6, 1, 0.6),
        (
            r"\bicu\b|intensive care|emergency room|trauma (?:ward|unit|bay)|operating "
            r"(?:room|theat(?:er|re)|table)",
            0.8,
            1,
        ),
        (r"surger(?:y|ies)|surgeons?|surgical|operat(?:ed|ing) on|incisions?|scalpels?", 0.8, 2),
        (r"stitch(?:es|ed)|sutur\w+", 0.65, 1),
        (r"medical|medics?|medi-?nins?|med-?kits?|first aid", 0.55, 0),
        (
            r"medications?|medicine|antibiotics?|painkillers?|pain relievers?|morphine|"
            r"sedat(?:ive|ives|ed|ion)|an(?:a)?esthe\w+|antipyretics?|prescriptions?|"
            r"pills?",
            0.45,
            0,
        ),
        (r"seizures?|epilep\w+|convulsions?", 0.85, 1, 0.85),
        (
            r"concussion|brain (?:damage|injury|injuries)|cognitive (?:damage|impairment)|"
            r"comas?|comatose|(?:had|suffered|having) a stroke|aneurysm",
            0.75,
            1,
        ),
        (
            r"amputat\w+|prosthe\w+|stumps? of (?:his|her|their) (?:arm|leg)|missing "
            r"(?:his|her|their) (?:left |right )?(?:arm|leg|hand|foot|eye)",
            0.75,
            1,
        ),
        (
            r"splint\w*|gauze|bandag\w+|healing salve|iv drip|drip line|syringes?|"
            r"injections?",
            0.45,
            1,
        ),
        (r"fever|infect(?:ed|ion|ions)|migraines?|nause\w+|vomit\w*|dry-heav\w+", 0.35, 0),
        (r"nurses?|doctors?|diagnos\w+|prognosis|exam room|check-?ups?|discharged", 0.5, 0),
        (
            r"heart monitor|brainwaves|life support|ventilator|defibrillat\w+|pacemaker|"
            r"arrhythmias?|\bcpr\b|resuscitat\w+|heart attack",
            0.75,
            1,
        ),
        (r"cancer|tumou?rs?|chemo\w*|dialysis|transfusion", 0.75, 1),
        (r"wheelchairs?|crutch(?:es)?|casts? on (?:his|her|their)", 0.45, 0),
    ),
    *_terms(
        "mental-illness",
        (r"depress(?:ion|ive)", 0.85, 1, 0.85),
        (r"depressed", 0.45, 0),
        (
            r"ptsd|post-?traumatic|shell-?shock\w*|panic attacks?|anxiety (?:attacks?|"
            r"disorder)",
            0.9,
            1,
        ),
        (r"anxiety|anxious|paranoi\w+", 0.3, 0),
        (r"trauma(?:tised|tized|tic)?", 0.35, 0, 0.4),
        (r"mental (?:illness|health|breakdown)|mentally ill|nervous breakdown", 0.75, 1),
        (r"breakdowns?", 0.4, 1),
        (r"bipolar|schizo\w+|psychos[ie]s|psychotic|obsessive-compulsive|\bocd\b", 0.8, 1),
        (r"dissociat\w+|hallucinat\w+|delusions?|manic|mania", 0.5, 1),
        (r"self-destruct(?:ive|ion)", 0.5, 0),
        (r"therap(?:y|ist|ists)|antidepressants?|psychiatr\w+", 0.55, 0),
    ),
    *_terms(
        "pregnancy",
        (r"pregnan(?:t|cy|cies)", 0.9, 1, 0.9),
        (
            r"(?:one|two|three|four|five|six|seven|eight|nine|\d) months? (?:along|pregnant|"
            r"gone)|expecting (?:a baby|a child|twins)|baby bump|morning sickness|trimester|"
            r"due date|unborn|with child",
            0.75,
            1,
        ),
        (
            r"(?:have|having|had|has) (?:a|the|his|her|my|their) (?:baby|child)|"
            r"(?:gonna|going to) have a baby",
            0.4,
            0,
        ),
    ),
    *_terms(
        "childbirth",
        (r"(?:gave|give|gives|giving) birth|childbirth", 0.9, 1),
        (
            r"(?:went|go|goes|going|was|is) into labou?r|in labou?r|labou?r pains?|"
            r"contractions|delivery room|midwife|c-section|caesarean|cesarean|birthing",
            0.7,
            1,
        ),
        (r"newborn", 0.25, 0),
    ),
    *_terms("miscarriages", (r"miscarr\w+|stillb(?:orn|irth)|lost the baby", 0.9, 1)),
    *_terms(
        "abortion",
        (r"abortions?|abort(?:ed|ing)? (?:the|her|a) (?:baby|pregnancy|fetus|foetus)", 0.9, 1),
    ),
    *_terms(
        "suicide",
        (r"suicid(?:e|es|al)", 0.9, 1, 0.9),
        (
            rf"kill(?:s|ed|ing)? {SELF}|took (?:his|her|their|my) own li(?:fe|ves)|"
            rf"hang(?:ed|s)? {SELF}|end(?:ed|ing|s)? (?:it all|(?:his|her|their|my) (?:own )?"
            r"life)",
            0.85,
            1,
        ),
        (r"overdos\w+|jump(?:ed|s)? off (?:the|a) (?:bridge|roof|building|cliff)", 0.5, 1),
    ),
    *_terms(
        "self-harm",
        (r"self[- ]?harm\w*|self[- ]?injur\w+|self[- ]?mutilat\w+", 0.9, 1, 0.9),
        (
            r"slit (?:his|her|their|my) (?:own )?wrists|"
            r"(?:razor|blade)s? (?:to|across|against) (?:his|her|their|my) (?:wrists?|arms?|"
            r"thighs?)",
            0.7,
            1,
        ),
        (rf"cut(?:s|ting)? {SELF}", 0.5, 1),
        (rf"(?:burn(?:ed|s|ing)?|scratch(?:ed|es|ing)?|hurt(?:s|ing)?) {SELF}", 0.35, 1),
    ),
    *_terms(
        "eating-disorders",
        (r"anorex\w+|bulimi\w+|eating disorders?|binge[- ]?eat\w*", 0.9, 1, 0.9),
        (
            rf"starv(?:e|ed|es|ing) {SELF}|count(?:s|ing|ed)? (?:every )?calories|"
            r"purg(?:e|ed|es|ing) after",
            0.7,
            1,
        ),
    ),
    *_terms(
        "body-hatred",
        (
            r"(?:hat(?:e|es|ed|ing)|loath(?:e|es|ed|ing)|disgust(?:ed)? (?:by|with)) "
            r"(?:his|her|their|my) (?:own )?(?:body|bodies|reflection|weight|thighs|stomach)|"
            r"body dysmorphi\w*|dysmorphi\w+|body hatred",
            0.8,
            1,
        ),
    ),
    *_terms(
        "fat-phobia",
        (
            r"fat (?:pig|cow|slob|ass|lard|whale|fuck)|fatso|fatty|lard-?ass|"
            r"you(?:'re| are) (?:so |too )?fat|fat[- ]?(?:phob\w+|sham\w+)",
            0.8,
            1,
        ),
    ),
    *_terms(
        "homophobia",
        (
            r"homophob\w+|faggots?|fags?|dykes?|gay (?:slurs?|bashing)|conversion therapy|"
            r"queer-?bash\w*",
            0.85,
            1,
        ),
    ),
    *_terms(
        "transphobia",
        (r"transphob\w+|trann(?:y|ies)|deadnam\w+|misgender\w+", 0.85, 1),
    ),
    *_terms(
        "racism",
        (r"racis(?:m|t|ts)|racial slurs?|n-word|white supremac\w+|xenophob\w+", 0.85, 1),
    ),
    *_terms(
        "sexism",
        (r"sexis(?:m|t|ts)|chauvinis\w+|women belong in the kitchen", 0.8, 1),
        (r"like a girl", 0.3, 0),
    ),
    *_terms(
        "misogyny",
        (r"misogyn\w+|slut-?sham\w+", 0.85, 1),
        (r"sluts?|whores?", 0.45, 1),
    ),
    *_terms(
        "classism",
        (r"classis(?:m|t)|white trash|gutter (?:rats?|trash)|street rats?", 0.7, 1),
        (r"peasants?|lower class|commoners?", 0.3, 0),
    ),
    *_terms(
        "ableism",
        (r"ableis(?:m|t)|retard(?:ed|s)?|spaz|mongoloid", 0.75, 1),
        (r"cripple[sd]?", 0.45, 1),
    ),
    *_terms(
        "animal-death",
        (
            r"(?:dog|dogs|cat|cats|puppy|puppies|kitten|kittens|horse|horses|pet|pets|bird|birds|"
            r"rabbit|deer|cow|pig|animal|animals|fox|wolf|hound|pup|ninken)\b[^.!?]{0,25}\b"
            r"(?:died|dies|dead|was killed|were killed|(?:was|been|got|were) put down|"
            r"slaughtered|run over)",
            0.7,
            1,
        ),
        (
            r"(?:killed|slaughtered|shot|drowned|ran over|put down|skinned) (?:the|a|his|her|"
            r"their) (?:dog|cat|puppy|kitten|horse|pet|bird|rabbit|deer|animal|pup)s?",
            0.75,
            1,
        ),
        (r"roadkill|carcass(?:es)?|slaughterhouse", 0.55, 1),
    ),
    *_terms(
        "animal-cruelty",
        (r"animal (?:cruelty|abuse)", 0.9, 1),
        (
            r"(?:kick(?:ed|s|ing)?|beat(?:s|en|ing)?|tortur\w+|drown(?:ed|s|ing)?|starv\w+|"
            r"abus\w+) (?:the|a|his|her|their) (?:dog|cat|puppy|kitten|horse|pet|animal|bird|"
            r"pup)s?",
            0.85,
            1,
        ),
    ),
    *_terms(
        "child-abuse",
        (
            r"child (?:abuse|abuser|neglect)|abused (?:as a (?:child|kid|boy|girl))|"
            r"pedophil\w+|paedophil\w+",
            0.85,
            1,
        ),
        (
            r"(?:beat|beats|beating|hit|hits|hitting|abused?|abusing) (?:his|her|their|my) "
            r"(?:son|daughter|kids?|children|child|boy|girl)",
            0.8,
            1,
        ),
        (r"groom(?:ed|ing) (?:him|her|them|the (?:child|kid|boy|girl))", 0.6, 1),
    ),
    *_terms(
        "abuse",
        # The kinds with their own label are left to it.
        (
            r"(?<!child )(?<!sexual )(?<!sexually )(?<!animal )abus(?:e|es|ed|er|ers|ive|ively)",
            0.7,
            1,
        ),
        (r"domestic (?:violence|abuse)|gaslight\w*", 0.85, 1),
        (r"manipulat\w+", 0.25, 0),
    ),
    *_terms(
        "sexual-assault",
        (r"rap(?:e|ed|es|ing|ist|ists)", 0.9, 1, 0.9),
        (
            r"sexual(?:ly)? (?:assault(?:ed)?|abuse(?:d)?|harass\w+)|molest\w*|non-?con"
            r"(?:sensual)?|dub-?con",
            0.9,
            1,
        ),
        (
            rf"without (?:his|her|their|my) consent|(?:didn'?t|did not|couldn'?t) consent|"
            rf"forced {SELF} (?:on|onto)",
            0.6,
            1,
        ),
    ),
    *_terms("incest", (r"incest\w*", 0.95, 1)),
    *_terms(
        "underage",
        (r"underage|under-age|jailbait|statutory rape|minors?\b(?= (?:in|and|having) sex)", 0.7, 1),
    ),
    *_terms(
        "dissection",
        (
            r"dissect\w*|autops(?:y|ies)|vivisect\w*|post-?mortem|embalm\w*|"
            rf"cut (?:open )?(?:the|{POSS}) (?:corpse|body|cadaver|chest cavity)|"
            r"harvest(?:ed|ing)? (?:his|her|their|the) (?:organs|eyes?|heart)",
            0.8,
            1,
        ),
        (r"morgue", 0.45, 0),
    ),
]


def compile_alternation(patterns: list[str]) -> re.Pattern[str]:
    """Many phrases as one regex over lowercased text.

    Like `compile_term`, the regex has no leading word boundary: use `detect`'s
    `_word_matches`, which checks it.
    """
    return compile_term("|".join(f"(?:{pattern})" for pattern in patterns))


def compile_term(pattern: str) -> re.Pattern[str]:
    """The term as a regex, without the leading "\\b" every term implicitly has.

    Python's engine only skips ahead quickly to where a match can begin when the pattern
    starts with plain characters; a leading "\\b" makes it try every position, which is
    ten times slower. The caller checks the word boundary instead.
    """
    regex = re.compile(rf"(?:{pattern})\b")
    if regex.groups:
        raise ValueError(f"term patterns must not capture: {pattern}")
    return regex


def split_alternatives(pattern: str) -> list[str]:
    """The top-level alternatives of a pattern: "a|b(?:c|d)" gives ["a", "b(?:c|d)"].

    Each alternative is compiled on its own so that it can be skipped on its own (see
    `word_stems`)."""
    parts: list[str] = []
    depth = 0
    in_class = False
    current: list[str] = []
    chars = iter(pattern)
    for char in chars:
        if char == "\\":
            current.append(char + next(chars, ""))
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "|" and depth == 0:
            parts.append("".join(current))
            current = []
            continue
        current.append(char)
    parts.append("".join(current))
    return parts


_STEM = 3
_MAX_STEMS = 400


# Words so common that knowing a paragraph contains them rules nothing out.
_COMMON_STEMS = (
    "a an the his her hi he she they the their thei my your you our its it him them me us "
    "was wer is are be bee bei got get ge go goe wen in on at to of for wit as and or not "
    "no did doe do thi tha out up off dow i we who wha whe how ha has had hav wil wou cou "
    "sho can may mig mus int ont ove und one"
)
_COMMON_WORDS = frozenset(_COMMON_STEMS.split())


def word_stems(pattern: str) -> frozenset[str] | None:
    """Stems (first three letters) of a word that every match of `pattern` contains.

    A paragraph in which no word starts like that cannot contain the term, so the term's
    regex is not even run: most terms are absent from most paragraphs, and this set test is
    far cheaper than a regex scan. When a term starts with a common word ("his last
    breath"), a later, rarer word of it is used instead. None means "no such word known":
    the term always runs.
    """
    try:
        from re import _parser  # the stdlib's own pattern parser

        return _sequence_stems(list(_parser.parse(pattern)), _parser)
    except Exception:
        return None


def _sequence_stems(items: list, parser) -> frozenset[str] | None:
    c = parser
    if len(items) == 1 and items[0][0] is c.SUBPATTERN:
        return _sequence_stems(list(items[0][1][-1]), parser)
    if len(items) == 1 and items[0][0] is c.BRANCH:
        union: set[str] = set()
        for branch in items[0][1][1]:
            stems = _sequence_stems(list(branch), parser)
            if stems is None:
                return None
            union |= stems
        return frozenset(union)
    # Split at top-level spaces: each piece starts a word in any matching text.
    pieces: list[list] = [[]]
    for op, arg in items:
        if op is c.LITERAL and arg == ord(" "):
            pieces.append([])
        else:
            pieces[-1].append((op, arg))
    best: frozenset[str] | None = None
    for index, piece in enumerate(pieces):
        strings = _expand(piece, parser)
        if not strings or "" in strings:
            continue  # unknown or optional: says nothing
        stems = set()
        for string in strings:
            stem = re.match(r"\w*", string).group()
            if not stem:
                break
            stems.add(stem)
        else:
            candidate = frozenset(stems)
            if index == 0 and best is None:
                best = candidate
            if not candidate & _COMMON_WORDS:
                return candidate
    return best


def _expand(items: list, parser) -> set[str] | None:
    """Every possible start of a match, cut at `_STEM` characters; None if unbounded."""
    partial = {""}
    finished: set[str] = set()
    for op, arg in items:
        options = _expand_item(op, arg, parser)
        if options is None:
            return None
        grown = {(prefix + option)[:_STEM] for prefix in partial for option in options}
        finished |= {string for string in grown if len(string) >= _STEM}
        partial = {string for string in grown if len(string) < _STEM}
        if len(partial) + len(finished) > _MAX_STEMS:
            return None
        if not partial:
            break
    return finished | partial


def _expand_item(op, arg, parser) -> set[str] | None:
    c = parser  # opcodes live on the parser module
    if op is c.LITERAL:
        return {chr(arg)}
    if op is c.IN:
        chars: set[str] = set()
        for inner_op, inner_arg in arg:
            if inner_op is c.LITERAL:
                chars.add(chr(inner_arg))
            elif inner_op is c.RANGE:
                chars.update(chr(code) for code in range(inner_arg[0], inner_arg[1] + 1))
            else:
                return None
        return chars
    if op is c.SUBPATTERN:
        return _expand(list(arg[-1]), parser)
    if op is c.BRANCH:
        union: set[str] = set()
        for branch in arg[1]:
            options = _expand(list(branch), parser)
            if options is None:
                return None
            union |= options
        return union
    if op in (c.MAX_REPEAT, c.MIN_REPEAT, getattr(c, "POSSESSIVE_REPEAT", None)):
        low, high, inner = arg
        once = _expand(list(inner), parser)
        if once is None:
            return None
        options = {""} if low == 0 else set()
        current = {""}
        for count in range(1, min(high, _STEM) + 1):
            current = {(a + b)[:_STEM] for a in current for b in once}
            if count >= low:
                options |= current
        if low > _STEM:
            options = current
        return options
    if op in (c.AT, c.ASSERT, c.ASSERT_NOT):
        return {""}  # zero-width
    return None
