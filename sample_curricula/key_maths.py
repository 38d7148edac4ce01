"""The key mathematics curriculum, Reception to Year 9 (``key-maths.toml``), built by ``build.py``.

- Years 1–6: the 79 ready-to-progress (RTP) criteria of the DfE's "Mathematics guidance: key stages 1
  and 2" (2020), with their official codes as ids, read from ``dfe-rtp/criteria.csv``. Every link of
  ``dfe-rtp/links.csv`` becomes a prerequisite with its provenance: the guidance's summary-table row or
  its text where a copy was found, and "inferred from numbering, not confirmed" where the folder marks
  the link UNVERIFIED. The criteria the folder gives no link (most of fractions and geometry, and the
  criteria whose thread is not known) get links of our own reading, each with its reason (``OURS``).
- Reception: the early learning goals for mathematics (EYFS statutory framework), the points
  scheme's EYFS stage (9 points), linked to Year 1 by our reading.
- Key stage 3: a few statements of the key stage 3 programme of study (from ``nc-england``), in one
  stage spanning Years 7–9 (the programme of study is not split by year), linked to the Year 5–6
  criteria by our reading. Points past Year 6 are this project's extension of the scheme.

Links are never drawn by position: each one is listed here, with where it comes from. Each milestone
also gets its ``parent_text`` (``PARENT_TEXT``): the milestone in plain words for parents.
"""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from pathlib import Path

from passport_tui.models import Curriculum, CurriculumHeader, LinkProvenance, Milestone, Stage, Strand

VERSION = "2026.1"
LICENCE = "Contains public sector information licensed under the Open Government Licence v3.0."
GUIDANCE = "Mathematics guidance: key stages 1 and 2 (DfE, 2020)"
EYFS = "Statutory framework for the early years foundation stage (DfE, 2021; the same goals in 2024)"
EYFS_COPY = (
    "https://wsh.wokingham.gov.uk/early-years-childcare-and-play/early-years-foundation-stage/mathematics"
)
KS3 = "National Curriculum in England, mathematics programme of study: key stage 3 (DfE)"

STAGES = [
    Stage(id="R", title="Reception", year=0),
    *[Stage(id=f"Y{y}", title=f"Year {y}", year=y) for y in range(1, 7)],
    Stage(id="KS3", title="Key stage 3 (Years 7–9)", years=[7, 8, 9]),
]

# strand id, title, and the RTP strand codes it holds (file order)
STRANDS = [
    ("npv", "Number and place value", ("NPV",)),
    ("nf", "Number facts", ("NF",)),
    ("as", "Addition and subtraction", ("AS",)),
    ("md", "Multiplication and division", ("MD",)),
    ("asmd", "Addition, subtraction, multiplication and division", ("AS/MD",)),
    ("f", "Fractions", ("F",)),
    ("g", "Geometry", ("G",)),
    ("algebra", "Algebra", ()),
    ("ratio", "Ratio, proportion and rates of change", ()),
    ("stats", "Statistics and probability", ()),
]

THREADS = {"npv1": "NPV-1", "npv3": "NPV-3", "nf1": "NF-1", "nf2": "NF-2", "as1": "AS-1", "as2": "AS-2"}
THREADS |= {"md1": "MD-1", "md2": "MD-2", "md3": "MD-3"}

# --- Reception: the early learning goals for mathematics --------------------------------------
# (id, strand, ELG, the goal's words)
RECEPTION = [
    (
        "R-NUM-1",
        "as",
        "Number",
        "Have a deep understanding of number to 10, including the composition of each number.",
    ),
    ("R-NUM-2", "npv", "Number", "Subitise (recognise quantities without counting) up to 5."),
    (
        "R-NUM-3",
        "nf",
        "Number",
        "Automatically recall (without reference to rhymes, counting or other aids) number bonds up to 5 "
        "(including subtraction facts) and some number bonds to 10, including double facts.",
    ),
    (
        "R-PAT-1",
        "npv",
        "Numerical Patterns",
        "Verbally count beyond 20, recognising the pattern of the counting system.",
    ),
    (
        "R-PAT-2",
        "npv",
        "Numerical Patterns",
        "Compare quantities up to 10 in different contexts, recognising when one quantity is greater than, "
        "less than or the same as the other quantity.",
    ),
    (
        "R-PAT-3",
        "md",
        "Numerical Patterns",
        "Explore and represent patterns within numbers up to 10, including evens and odds, double facts and "
        "how quantities can be distributed equally.",
    ),
]

# --- key stage 3: statements of the programme of study (by the source's descriptor id) ----------
# (id, strand, descriptor id in nc-maths-statements.csv)
KEY_STAGE_3 = [
    ("KS3-N-1", "npv", "contentdescriptor-place-value-decimals-measures-integers"),
    ("KS3-N-2", "npv", "contentdescriptor-order-positive-negative-integers-decimals"),
    ("KS3-N-3", "npv", "contentdescriptor-round-numbers-measures-appropriate-degree"),
    ("KS3-N-4", "asmd", "contentdescriptor-4-operations-formal-written-methods"),
    ("KS3-N-5", "md", "contentdescriptor-concepts-vocabulary-prime-numbers-factors"),
    ("KS3-N-6", "f", "contentdescriptor-terminating-decimals-corresponding-fractions-such"),
    ("KS3-N-7", "f", "contentdescriptor-define-percentage-number-parts-hundred"),
    ("KS3-N-8", "npv", "contentdescriptor-standard-units-mass-length-time"),
    ("KS3-A-1", "algebra", "contentdescriptor-interpret-algebraic-notation-ab-place"),
    ("KS3-A-2", "algebra", "contentdescriptor-substitute-numerical-values-formulae-expressions"),
    ("KS3-A-3", "algebra", "contentdescriptor-simplify-manipulate-algebraic-expressions-maintain"),
    ("KS3-A-4", "algebra", "contentdescriptor-algebraic-methods-solve-linear-equations"),
    ("KS3-A-5", "algebra", "contentdescriptor-coordinates-4-quadrants"),
    ("KS3-A-6", "algebra", "contentdescriptor-sketch-produce-graphs-linear-quadratic"),
    ("KS3-R-1", "ratio", "contentdescriptor-ratio-notation-reduction-simplest-form"),
    ("KS3-R-2", "ratio", "contentdescriptor-divide-given-quantity-2-parts"),
    ("KS3-R-3", "ratio", "contentdescriptor-solve-problems-involving-direct-inverse"),
    ("KS3-R-4", "ratio", "contentdescriptor-solve-problems-involving-percentage-change"),
    ("KS3-R-5", "ratio", "contentdescriptor-scale-factors-scale-diagrams-maps"),
    ("KS3-G-1", "g", "contentdescriptor-apply-properties-angles-point-angles"),
    ("KS3-G-2", "g", "contentdescriptor-derive-sum-angles-triangle-deduce"),
    ("KS3-G-3", "g", "contentdescriptor-derive-apply-formulae-calculate-solve"),
    ("KS3-G-4", "g", "contentdescriptor-identify-properties-describe-results-translations"),
    ("KS3-S-1", "stats", "contentdescriptor-construct-interpret-appropriate-tables-charts"),
    ("KS3-S-2", "stats", "contentdescriptor-generate-theoretical-sample-spaces-single"),
]

# --- links of our own reading: (milestone, prerequisite, why) -----------------------------------
# Every entry is a judgement about two criteria's content, not their position in a table.
OURS: list[tuple[str, str, str]] = [
    # Reception -> Year 1
    (
        "1NPV-1",
        "R-PAT-1",
        "counting within 100 from any number carries on the counting beyond 20, and its pattern, of the early learning goal",
    ),
    (
        "1NPV-2",
        "R-PAT-2",
        "placing numbers to 20 on a number line and comparing them with < > = builds on comparing quantities up to 10",
    ),
    (
        "1AS-1",
        "R-NUM-1",
        "composing and partitioning numbers to 10 is the composition of each number to 10 the early learning goal names",
    ),
    (
        "1AS-1",
        "R-PAT-3",
        "recognising odd and even numbers within 10 follows the evens and odds explored in Reception",
    ),
    (
        "1NF-1",
        "R-NUM-3",
        "fluency in addition and subtraction facts within 10 extends recall of number bonds to 5 and some to 10",
    ),
    (
        "1NF-2",
        "R-PAT-1",
        "counting in multiples of 2, 5 and 10 needs the counting sequence and its pattern beyond 20",
    ),
    (
        "2MD-1",
        "R-PAT-3",
        "repeated addition of equal groups builds on distributing quantities equally and on double facts",
    ),
    (
        "1AS-1",
        "R-NUM-2",
        "seeing small quantities as wholes without counting is how the parts of a number are recognised",
    ),
    # number and place value
    (
        "2NPV-1",
        "1NPV-1",
        "the place value of two-digit numbers rests on counting within 100 through the multiples of 10",
    ),
    (
        "3NPV-4",
        "3NPV-3",
        "reading scales marked in multiples of 100 needs the position of three-digit numbers on a number line",
    ),
    (
        "5NPV-5",
        "5NPV-1",
        "converting units with decimals (e.g. 0.25 m = 25 cm) uses tenths and hundredths of 1",
    ),
    ("5NPV-5", "5MD-1", "converting between units is multiplying or dividing by 10, 100 or 1,000"),
    # number facts
    (
        "3NF-3",
        "3NPV-1",
        "scaling a known fact by 10 (3 + 4 = 7, so 30 + 40 = 70) uses 10 tens being 1 hundred and 100 being 10 times 10",
    ),
    ("4NF-2", "4NF-1", "division with remainders uses the multiplication and division facts up to 12 × 12"),
    (
        "4NF-2",
        "3MD-1",
        "interpreting remainders in context builds on the structures of division (quotitive and partitive) in 3MD-1",
    ),
    # addition and subtraction
    (
        "2AS-3",
        "2NPV-1",
        "adding or subtracting only ones or only tens changes one digit of a two-digit number: place value",
    ),
    ("2AS-4", "2AS-3", "adding any two two-digit numbers combines adding the tens and adding the ones"),
    ("2AS-4", "2AS-1", "adding two two-digit numbers often crosses a multiple of 10"),
    ("1AS-2", "1AS-1", "equations with + - = record the composing and partitioning of numbers to 10"),
    (
        "3AS-2",
        "3NPV-2",
        "columnar addition and subtraction work digit by digit on the place value of three-digit numbers",
    ),
    ("3AS-2", "3NF-1", "each column of a columnar calculation uses the facts that bridge 10"),
    (
        "3AS-3",
        "1AS-1",
        "the inverse relationship and part-part-whole generalise the composing and partitioning of numbers",
    ),
    ("3AS-3", "2AS-2", "the related property of subtraction is reasoned about through difference"),
    (
        "6AS/MD-4",
        "6AS/MD-1",
        "problems with 2 unknowns are solved through the additive and multiplicative relationship between them",
    ),
    # multiplication and division
    (
        "2MD-1",
        "1NF-2",
        "repeated addition in the 2, 5 and 10 tables builds on counting in multiples of 2, 5 and 10",
    ),
    (
        "2MD-2",
        "2MD-1",
        "grouping problems with a missing factor use the multiplication equations of repeated addition",
    ),
    (
        "3MD-1",
        "3NF-2",
        "applying known multiplication and division facts needs those facts (the 10, 5, 2, 4 and 8 tables)",
    ),
    (
        "4MD-3",
        "3NF-2",
        "the distributive property (7 × 6 = 5 × 6 + 2 × 6) splits a calculation into known table facts",
    ),
    ("5MD-4", "4NF-2", "short division interprets remainders as in dividing two-digit numbers"),
    ("5MD-4", "5NF-1", "each step of a formal written division recalls a table fact"),
    # fractions: the folder has 3F-1, 3F-2 -> 3F-3 and 4F-1 -> 4F-3 only
    (
        "3F-2",
        "3F-1",
        "finding a unit fraction of a quantity needs the meaning of a unit fraction as one of equal parts",
    ),
    (
        "3F-4",
        "3F-3",
        "adding and subtracting fractions with the same denominator counts unit fractions along the number line within 1",
    ),
    ("4F-1", "3F-3", "placing mixed numbers on the number line extends placing fractions within 1 beyond 1"),
    (
        "4F-2",
        "4F-1",
        "converting between mixed numbers and improper fractions reads the same point of the number line two ways",
    ),
    (
        "4F-3",
        "3F-4",
        "adding and subtracting improper and mixed fractions extends adding fractions with the same denominator within 1",
    ),
    ("4F-3", "4F-2", "bridging whole numbers converts between mixed numbers and improper fractions"),
    ("5F-1", "3F-2", "a non-unit fraction of a quantity is a multiple of the unit fraction of it"),
    (
        "5F-2",
        "3F-3",
        "equivalent fractions share a position on the number line, so locating fractions comes first",
    ),
    (
        "5F-2",
        "4NF-1",
        "making an equivalent fraction multiplies or divides numerator and denominator by the same number",
    ),
    ("5F-3", "5NPV-1", "decimal equivalents of 1/2, 1/4, 1/5 and 1/10 are tenths and hundredths of 1"),
    (
        "5F-3",
        "5F-2",
        "1/4 = 25/100 = 0.25: a decimal equivalent comes from an equivalent fraction in tenths or hundredths",
    ),
    ("6F-1", "5F-2", "simplifying finds an equivalent fraction"),
    ("6F-1", "5MD-2", "simplifying divides numerator and denominator by a common factor"),
    ("6F-2", "5F-2", "a common denomination rewrites fractions as equivalent fractions"),
    ("6F-2", "5MD-2", "a common denominator is a common multiple of the denominators"),
    ("6F-3", "6F-2", "choosing between reasoning and common denomination needs common denomination"),
    ("6F-3", "4F-1", "comparing fractions greater than 1 places them on the number line beyond 1"),
    # geometry: the folder has 3G-1 -> 5G-1 only
    ("1G-2", "1G-1", "composing shapes to match an example needs recognising the shapes in any orientation"),
    ("2G-1", "1G-1", "describing and comparing properties of shapes needs recognising the shapes first"),
    ("3G-1", "2G-1", "a right angle is a property of a shape, described with the precise language of 2G-1"),
    ("3G-2", "3G-1", "perpendicular sides meet at a right angle"),
    ("4G-1", "3G-2", "drawing polygons from coordinates extends drawing them by joining marked points"),
    ("4G-2", "2G-1", "regular polygons are defined by properties of their sides and angles"),
    ("4G-2", "3G-1", "comparing the angles of polygons starts from right angles"),
    ("4G-3", "2G-1", "line symmetry is a property of a shape, reasoned about in precise language"),
    ("5G-2", "4G-2", "area is set against perimeter of rectangles, whose properties 4G-2 covers"),
    ("5G-2", "4NF-1", "the area of a rectangle is a product of its side lengths"),
    ("6G-1", "5G-1", "drawing shapes to given angles needs measuring and drawing angles in degrees"),
    ("6G-1", "5G-2", "drawing and decomposing shapes to a given area needs the area of rectangles"),
    # key stage 3
    (
        "KS3-N-1",
        "6NPV-2",
        "place value for numbers of any size extends the place value of numbers up to 10 million with decimals",
    ),
    (
        "KS3-N-2",
        "6NPV-3",
        "ordering on the number line extends locating numbers up to 10 million, with decimals",
    ),
    ("KS3-N-2", "6F-3", "ordering fractions needs comparing fractions with different denominators"),
    ("KS3-N-3", "6NPV-3", "rounding to a degree of accuracy extends rounding numbers in context"),
    (
        "KS3-N-4",
        "5MD-4",
        "formal written methods for all 4 operations build on the formal written division of Year 5",
    ),
    (
        "KS3-N-4",
        "4F-3",
        "the 4 operations with fractions and mixed numbers build on adding and subtracting them",
    ),
    (
        "KS3-N-4",
        "6AS/MD-2",
        "calculating with all numbers relies on inverse relationships and arithmetic properties",
    ),
    (
        "KS3-N-5",
        "5MD-2",
        "highest common factor, lowest common multiple and prime factorisation extend factors and multiples",
    ),
    (
        "KS3-N-6",
        "5F-3",
        "working between terminating decimals and fractions extends the decimal equivalents of common fractions",
    ),
    ("KS3-N-7", "5F-3", "percentages are parts per hundred, read as fractions and decimals"),
    ("KS3-N-8", "5NPV-5", "using standard units with decimal quantities builds on converting between units"),
    (
        "KS3-A-1",
        "6AS/MD-4",
        "algebraic notation records relationships between unknowns such as the 2 unknowns of 6AS/MD-4",
    ),
    (
        "KS3-A-1",
        "4MD-2",
        "writing 3y for 3 × y and a/b for a ÷ b needs the manipulation of multiplication and division equations",
    ),
    ("KS3-A-2", "KS3-A-1", "substituting into an expression needs reading its notation"),
    ("KS3-A-3", "KS3-A-1", "simplifying expressions works on algebraic notation"),
    ("KS3-A-3", "4MD-3", "multiplying a term over a bracket is the distributive property"),
    ("KS3-A-4", "KS3-A-3", "solving equations rearranges expressions while keeping them equivalent"),
    ("KS3-A-4", "6AS/MD-2", "solving uses inverse relationships"),
    ("KS3-A-5", "4G-1", "coordinates in all 4 quadrants extend coordinates in the first quadrant"),
    ("KS3-A-5", "KS3-N-2", "negative coordinates need ordering negative numbers"),
    ("KS3-A-6", "KS3-A-5", "graphs of functions are drawn on the coordinate plane"),
    ("KS3-A-6", "KS3-A-2", "plotting a graph substitutes values of x into its equation"),
    ("KS3-R-1", "6AS/MD-3", "ratio notation records the ratio relationships of 6AS/MD-3"),
    (
        "KS3-R-1",
        "6F-1",
        "reducing a ratio to its simplest form divides by a common factor, as in simplifying fractions",
    ),
    ("KS3-R-2", "KS3-R-1", "dividing a quantity in a ratio needs ratio notation"),
    ("KS3-R-2", "5F-1", "a part:whole ratio takes a non-unit fraction of the quantity"),
    ("KS3-R-3", "KS3-R-2", "proportion problems scale quantities in a given ratio"),
    ("KS3-R-3", "6AS/MD-1", "direct proportion is a multiplicative relationship between 2 quantities"),
    (
        "KS3-R-4",
        "KS3-N-7",
        "percentage change needs percentages as fractions and decimals, read multiplicatively",
    ),
    ("KS3-R-5", "6AS/MD-1", "a scale factor quantifies a multiplicative relationship"),
    ("KS3-G-1", "5G-1", "angle facts are measured and reasoned in degrees"),
    ("KS3-G-2", "KS3-G-1", "the angle sum of a triangle is derived from angles on a straight line"),
    ("KS3-G-2", "4G-2", "the properties of regular polygons are derived from their equal angles"),
    (
        "KS3-G-3",
        "5G-2",
        "area formulae for triangles, parallelograms and trapezia are derived from the area of rectangles",
    ),
    ("KS3-G-3", "KS3-A-2", "applying a formula substitutes values into it"),
    ("KS3-G-4", "4G-1", "translations on a grid extend translating within the first quadrant"),
    ("KS3-G-4", "4G-3", "reflections extend reflecting shapes in a line of symmetry"),
    ("KS3-S-1", "5G-1", "pie charts are drawn and read with angles in degrees"),
    (
        "KS3-S-2",
        "5F-2",
        "a theoretical probability is a fraction of equally likely outcomes, compared through equivalent fractions",
    ),
]

# links the folder supports in part, with what the source says and what is our reading
SUPPORTED: list[tuple[str, str, str, str]] = [
    (
        "3F-2",
        "3NF-2",
        f"{GUIDANCE}, the wording of 3F-2: 'using known division facts (multiplication tables fluency)'",
        "the Year 3 multiplication tables are those of 3NF-2",
    ),
]

# --- each milestone in plain words for parents (``parent_text``): one short sentence of what the
# child can do, without the statutory wording of the title --------------------------------------
PARENT_TEXT = {
    # Reception
    "R-NUM-1": "Understands numbers up to 10 well, including the smaller numbers that make each one (6 is 5 and 1, or 3 and 3)",
    "R-NUM-2": "Can see how many are in a small group of up to 5 things without counting them",
    "R-NUM-3": "Knows without counting the number pairs that make 5 or less, some that make 10, and doubles such as 3 and 3",
    "R-PAT-1": "Can count aloud past 20 and sees the pattern in how the numbers go on",
    "R-PAT-2": "Can compare two groups of up to 10 things and say which has more, which has fewer, or that they are the same",
    "R-PAT-3": "Explores patterns in numbers up to 10, such as odd and even numbers, doubles and sharing out fairly",
    # Year 1
    "1NPV-1": "Can count forwards and backwards to 100, starting from any number",
    "1NPV-2": "Knows where numbers up to 20 go on a number line and can say which of two numbers is bigger",
    "1NF-1": "Is quick and sure at adding and taking away with numbers up to 10",
    "1NF-2": "Can count forwards and backwards in 2s, 5s and 10s, and count in odd numbers",
    "1AS-1": "Can split numbers up to 10 into two parts and put them back together, and knows odd from even numbers",
    "1AS-2": "Can read and write number sentences with +, - and =, and link them to everyday situations",
    "1G-1": "Recognises common flat and solid shapes whichever way round they are, and in their different forms",
    "1G-2": "Can build a shape from smaller shapes to match a picture, turning the pieces to fit",
    # Year 2
    "2NPV-1": "Knows what each digit of a two-digit number is worth and can split it in different ways (34 is 30 and 4, or 20 and 14)",
    "2NPV-2": "Knows where any two-digit number goes on a number line and which tens it lies between",
    "2NF-1": "Knows the adding and taking away facts within 10 by heart",
    "2AS-1": "Can add and take away across 10, such as 8 + 5 or 13 - 6",
    "2AS-2": "Understands taking away as finding the difference, and can answer 'how many more?' questions",
    "2AS-3": "Can add or take away ones or tens to or from a two-digit number, such as 45 + 3 or 45 + 30",
    "2AS-4": "Can add and take away any two two-digit numbers, using the facts they know",
    "2MD-1": "Understands multiplying as adding equal groups, using the 2, 5 and 10 times tables",
    "2MD-2": "Can work out how many equal groups fit into a number, e.g. how many 5s make 20, and write it as a division",
    "2G-1": "Can describe shapes accurately by their sides, corners and faces, and say how two shapes are alike or differ",
    # Year 3
    "3NPV-1": "Knows that 10 tens make a hundred and how many tens make numbers like 240",
    "3NPV-2": "Knows what each digit of a three-digit number is worth and can split such numbers in different ways",
    "3NPV-3": "Knows where any number up to 1,000 goes on a number line, and the tens and hundreds either side of it",
    "3NPV-4": "Can split 100 into 2, 4, 5 or 10 equal parts and read scales marked in these steps",
    "3NF-1": "Knows by heart the adding and taking away facts that cross 10, such as 7 + 6 or 15 - 8",
    "3NF-2": "Knows the 2, 4, 5, 8 and 10 times tables and the matching division facts",
    "3NF-3": "Uses facts they know to work out larger ones, e.g. 3 + 4 = 7 so 30 + 40 = 70, and 3 × 4 = 12 so 30 × 4 = 120",
    "3AS-1": "Can work out what to add to a number to make 100, e.g. 63 and 37",
    "3AS-2": "Can add and take away numbers up to 999 using written column methods",
    "3AS-3": "Understands that taking away undoes adding, and that numbers can be added in any order",
    "3MD-1": "Can use times tables to solve everyday problems, including sharing out equally and making equal groups",
    "3F-1": "Can read and write fractions, such as 3/4, for equal parts of a whole",
    "3F-2": "Can find a fraction such as a third of an amount using division facts, e.g. a third of 12 is 4",
    "3F-3": "Can place fractions between 0 and 1 on a number line",
    "3F-4": "Can add and take away fractions with the same bottom number, e.g. 2/7 + 3/7, with answers up to 1",
    "3G-1": "Recognises right angles, both as quarter turns and as square corners of shapes, whichever way round a shape is",
    "3G-2": "Can draw shapes by joining dots, and spot sides that are parallel or at right angles",
    # Year 4
    "4NPV-1": "Knows that 10 hundreds make a thousand and how many hundreds make numbers like 2,400",
    "4NPV-2": "Knows what each digit of a four-digit number is worth and can split such numbers in different ways",
    "4NPV-3": "Knows where any four-digit number goes on a number line, and can round it to the nearest 100 or 1,000",
    "4NPV-4": "Can split 1,000 into 2, 4, 5 or 10 equal parts and read scales marked in these steps",
    "4NF-1": "Knows all the times tables up to 12 × 12 and the matching division facts",
    "4NF-2": "Can divide a two-digit number by a one-digit number and decide what a remainder means in the problem",
    "4NF-3": "Uses facts they know to work out larger ones, e.g. 3 × 4 = 12 so 300 × 4 = 1,200",
    "4MD-1": "Can multiply and divide whole numbers by 10 and 100, knowing this makes a number 10 or 100 times bigger or smaller",
    "4MD-2": "Knows numbers can be multiplied in any order, and can rearrange multiplication and division facts",
    "4MD-3": "Can split a multiplication into easier parts, e.g. 7 × 13 as 7 × 10 plus 7 × 3",
    "4F-1": "Can place numbers such as 2 and a half or 3 and a quarter on a number line",
    "4F-2": "Can write a whole number and a fraction as a top-heavy fraction and back, e.g. 1 and 3/4 is 7/4",
    "4F-3": "Can add and take away fractions with the same bottom number, including ones bigger than 1",
    "4G-1": "Can draw shapes from coordinates on a grid and slide them to a new place on the grid",
    "4G-2": "Knows regular shapes have equal sides and equal angles, and can find the distance round any shape (its perimeter)",
    "4G-3": "Can find lines of symmetry in shapes, and reflect a shape or complete a symmetrical pattern",
    # Year 5
    "5NPV-1": "Knows how tenths and hundredths make up a whole: 10 tenths or 100 hundredths make 1, and 10 hundredths a tenth",
    "5NPV-2": "Knows what each digit is worth in numbers with up to two decimal places, such as 3.46",
    "5NPV-3": "Knows where numbers like 3.46 go on a number line and can round them to the nearest whole number or tenth",
    "5NPV-4": "Can split 1 into 2, 4, 5 or 10 equal parts and read scales marked in these steps",
    "5NPV-5": "Can change between units of measure, e.g. 1.5 kg is 1,500 g, and a quarter of a metre is 25 cm",
    "5NF-1": "Knows the times tables and the matching division facts quickly and accurately",
    "5NF-2": "Uses facts they know to work with decimals, e.g. 3 + 4 = 7 so 0.3 + 0.4 = 0.7",
    "5MD-1": "Can multiply and divide any number by 10 and 100, including numbers with decimals",
    "5MD-2": "Can find factors and multiples of a number, including those two numbers share",
    "5MD-3": "Can multiply a number of up to 4 digits by a one-digit number using a written method",
    "5MD-4": "Can divide a number of up to 4 digits by a one-digit number using a written method, and deal with remainders",
    "5F-1": "Can find fractions such as three quarters of an amount",
    "5F-2": "Knows that fractions such as 1/2 and 2/4 are worth the same, and can find fractions that are equal",
    "5F-3": "Knows the decimals for common fractions, e.g. 1/4 is 0.25 and 3/5 is 0.6",
    "5G-1": "Can compare, estimate, measure and draw angles in degrees",
    "5G-2": "Can compare areas and work out the area of rectangles in square centimetres or square metres",
    # Year 6
    "6NPV-1": "Understands how 10, 100 and 1,000 relate, and can multiply and divide any number, including decimals, by them",
    "6NPV-2": "Knows what each digit is worth in numbers up to 10 million, including decimals",
    "6NPV-3": "Knows where numbers up to 10 million, including decimals, go on a number line, and rounds them sensibly",
    "6NPV-4": "Can read scales and number lines split into 2, 4, 5 or 10 equal parts, whatever their size",
    "6AS/MD-1": "Can say how two numbers are related by adding or by multiplying, e.g. 20 is 15 more than 5, or 4 times 5",
    "6AS/MD-2": "Can use one calculation to work out a related one, e.g. from 25 × 4 = 100 knows 25 × 8 = 200",
    "6AS/MD-3": "Can solve problems about things in a fixed ratio, e.g. 2 eggs for every 3 cups of flour",
    "6AS/MD-4": "Can solve problems with two unknown numbers, e.g. two numbers that add to 10 and differ by 2",
    "6F-1": "Can simplify fractions, e.g. 6/8 to 3/4",
    "6F-2": "Can compare fractions by giving them the same bottom number",
    "6F-3": "Can compare any two fractions, including ones bigger than 1, choosing a good way to do it",
    "6G-1": "Can draw and make shapes with given sizes, angles or areas, and solve problems about them",
    # key stage 3
    "KS3-N-1": "Understands place value in numbers of any size, including decimals and measures",
    "KS3-N-2": "Can put positive and negative numbers, decimals and fractions in order, using a number line",
    "KS3-N-3": "Can round numbers sensibly, e.g. to 1 decimal place or 2 significant figures",
    "KS3-N-4": "Can add, subtract, multiply and divide whole numbers, decimals, fractions and negative numbers",
    "KS3-N-5": "Knows about prime numbers, factors and multiples, and can write a number as a product of primes",
    "KS3-N-6": "Can switch between decimals and fractions, e.g. 0.375 is 3/8",
    "KS3-N-7": "Understands percentages and uses them to compare amounts and to work out increases and decreases",
    "KS3-N-8": "Uses standard units of weight, length, time and money confidently, including with decimals",
    "KS3-A-1": "Can read and write algebra, e.g. knows 3y means 3 × y and a² means a × a",
    "KS3-A-2": "Can put numbers into a formula to work out its value",
    "KS3-A-3": "Can simplify algebra, e.g. collect like terms and multiply out brackets",
    "KS3-A-4": "Can solve equations with one unknown, e.g. 3x + 5 = 20",
    "KS3-A-5": "Can plot and read points on a grid, including negative coordinates",
    "KS3-A-6": "Can draw and recognise graphs of straight lines and simple curves from their equations",
    "KS3-R-1": "Can write ratios and simplify them, e.g. 6:4 as 3:2",
    "KS3-R-2": "Can share an amount in a given ratio, e.g. £20 in the ratio 3:1",
    "KS3-R-3": "Can solve problems where two amounts go up together, or where one goes down as the other goes up",
    "KS3-R-4": "Can work out percentage increases and decreases, such as a sale price, and simple interest",
    "KS3-R-5": "Can use scales on maps and scale drawings, and enlarge or shrink shapes by a scale factor",
    "KS3-G-1": "Knows the rules for angles round a point, on a straight line and where lines cross, and finds missing angles",
    "KS3-G-2": "Knows the angles of a triangle add up to 180° and uses this to find angles in other shapes",
    "KS3-G-3": "Can work out the area of triangles and other shapes, and the volume of boxes, prisms and cylinders",
    "KS3-G-4": "Can describe what happens to a shape when it is moved, turned or reflected",
    "KS3-S-1": "Can draw and read tables and charts, such as bar charts and pie charts",
    "KS3-S-2": "Can list all the possible outcomes, e.g. of rolling two dice, and use them to work out chances",
}


_MARKUP = re.compile(r"\[Fraction:([^\]]+)\]")


def _plain(text: str) -> str:
    return " ".join(_MARKUP.sub(r"\1", text).split())


def _wording(verification: str) -> str:
    if verification.startswith("verified-2"):
        return "the same in two or more independent copies"
    if verification.startswith("partial"):
        return "the opening confirmed in two copies, the rest from one unofficial transcription"
    return "from one unofficial transcription (not confirmed by a second independent copy)"


def _code(raw: str) -> str:
    return raw.replace("–", "-").strip()


def _provenance(evidence: list[str], target: str) -> LinkProvenance:
    """A link's provenance from the evidence column(s) of ``links.csv``."""
    sources: list[str] = []
    reasons: list[str] = []
    for text in evidence:
        if text.startswith("UNVERIFIED:"):
            detail = text.removeprefix("UNVERIFIED:").strip().removeprefix("inferred from ")
            reasons.append(f"inferred from numbering, not confirmed ({detail})")
            continue
        url, _, rest = text.partition(" ")
        rest = rest.strip().removeprefix("(").removesuffix(")")
        thread = THREADS.get(url.rsplit("/", 1)[-1]) if "/rtp-by-strand/" in url else None
        if thread and not rest:
            sources.append(f"{GUIDANCE}, ready-to-progress summary table, row {thread} (as listed at {url})")
            continue
        quote = rest.partition("; chain order by year")[0]
        sources.append(f"{GUIDANCE}: {quote.strip()} (copy at {url})")
        if "; chain order by year" in rest and target != "6NPV-4":
            reasons.append(
                "the 6NPV-4 guidance names 3NPV-4, 4NPV-4 and 5NPV-4 as one progression; "
                "taking them year by year is our reading"
            )
    return LinkProvenance(source="; ".join(sources) or None, reason="; ".join(reasons) or None)


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def build_key_maths(data: Path, oak_commit: str, oak_version: str) -> Curriculum:
    criteria = _read_csv(data / "dfe-rtp" / "criteria.csv")
    link_rows = _read_csv(data / "dfe-rtp" / "links.csv")
    ks3_rows = {r["descriptor_id"]: r for r in _read_csv(data / "nc-england" / "nc-maths-statements.csv")}

    strand_of_code = {code: sid for sid, _, codes in STRANDS for code in codes}
    milestones: list[Milestone] = []
    strand_rank = {sid: i for i, (sid, _, _) in enumerate(STRANDS)}
    for ident, strand, goal, text in sorted(RECEPTION, key=lambda r: strand_rank[r[1]]):
        guidance = f"{EYFS}, ELG: {goal} (copy of the goals at {EYFS_COPY})."
        milestones.append(Milestone(id=ident, strand=strand, stage="R", title=text, guidance=guidance))

    thread_of: dict[str, str] = {}
    by_year: dict[int, list[Milestone]] = defaultdict(list)
    for row in criteria:
        code = _code(row["code"])
        thread = row["thread"] if row["thread"] != "UNKNOWN" else "not known"
        thread_of[code] = thread
        guidance = (
            f"DfE ready-to-progress criterion {code} ({GUIDANCE}). Summary-table row: {thread}. "
            f"Wording: {_wording(row['verification'])}."
        )
        by_year[int(row["year"])].append(
            Milestone(
                id=code,
                strand=strand_of_code[row["strand"]],
                stage=f"Y{row['year']}",
                title=_plain(row["text"]),
                guidance=guidance,
            )
        )
    for year in sorted(by_year):  # within a year: strands in the order of the table above, then file order
        milestones += sorted(by_year[year], key=lambda m: strand_rank[m.strand])

    for ident, strand, descriptor in sorted(KEY_STAGE_3, key=lambda r: strand_rank[r[1]]):
        row = ks3_rows[descriptor]
        assert row["key_stage"] == "key-stage-3", descriptor
        guidance = f"{KS3}, {row['strand']}: {row['substrand']} (oak-curriculum-ontology {descriptor})."
        milestones.append(
            Milestone(id=ident, strand=strand, stage="KS3", title=_plain(row["statement"]), guidance=guidance)
        )

    by_id = {m.id: m for m in milestones}
    assert set(PARENT_TEXT) == set(by_id), set(PARENT_TEXT) ^ set(by_id)
    for m in milestones:
        m.parent_text = PARENT_TEXT[m.id]
    links: dict[str, dict[str, LinkProvenance]] = defaultdict(dict)
    evidence: dict[tuple[str, str], list[str]] = defaultdict(list)
    for row in link_rows:
        evidence[(_code(row["from"]), _code(row["to"]))].append(row["evidence"].strip())
    for (before, after), texts in evidence.items():
        links[after][before] = _provenance(texts, after)
    for after, before, source, reason in SUPPORTED:
        assert before not in links[after], (after, before)
        links[after][before] = LinkProvenance(source=source, reason=reason)
    for after, before, reason in OURS:
        assert before not in links[after], f"{after} <- {before} is listed twice"
        links[after][before] = LinkProvenance(reason=reason)
    rank = {m.id: i for i, m in enumerate(milestones)}
    stage_rank = {s.id: i for i, s in enumerate(STAGES)}
    for after, given in links.items():
        assert after in by_id and all(b in by_id for b in given), (after, list(given))
        ordered = sorted(given, key=rank.__getitem__)
        later = [b for b in ordered if stage_rank[by_id[b].stage] > stage_rank[by_id[after].stage]]
        assert not later, f"{after} requires {later}, of a later stage"
        by_id[after].requires = ordered
        by_id[after].provenance = {b: given[b] for b in ordered}

    counts = _counts(links)
    return Curriculum(
        curriculum=CurriculumHeader(
            id="key-maths",
            title="Mathematics — key milestones, Reception to Year 9",
            version=VERSION,
            source=(
                f"Years 1–6: the ready-to-progress criteria of the {GUIDANCE}. Reception: the early learning "
                f"goals for mathematics, {EYFS}. Key stage 3: {KS3}, via oaknational/oak-curriculum-ontology "
                f"{oak_version}, commit {oak_commit}."
            ),
            licence=LICENCE,
            notes=_notes(criteria, counts),
        ),
        stages=STAGES,
        strands=[Strand(id=sid, title=title) for sid, title, _ in STRANDS],
        milestones=milestones,
    )


def _counts(links: dict[str, dict[str, LinkProvenance]]) -> dict[str, int]:
    out: dict[str, int] = defaultdict(int)
    for given in links.values():
        for link in given.values():
            if link.source and not link.reason:
                out["sourced"] += 1
            elif link.source:
                out["partly"] += 1
            elif link.reason and link.reason.startswith("inferred from numbering"):
                out["inferred"] += 1
            else:
                out["ours"] += 1
    return out


def _notes(criteria: list[dict[str, str]], counts: dict[str, int]) -> str:
    verified = sum(1 for r in criteria if r["verification"].startswith("verified-2"))
    partial = sum(1 for r in criteria if r["verification"].startswith("partial"))
    single = len(criteria) - verified - partial
    return "\n".join(
        [
            "Key mathematics milestones: the learning later learning depends on.",
            f"Years 1–6 are the DfE's {len(criteria)} ready-to-progress criteria, with their official codes as",
            "ids. The official PDF could not be read when this file was made; the criteria come from public",
            "copies of the guidance, and each milestone's guidance says how sure its wording is:",
            f"{verified} criteria read the same in two or more independent copies, {partial} have only their",
            f"opening confirmed twice, and {single} come from one unofficial transcription (a further public",
            "copy seen while building this file reads the same, but it may share that transcription's origin).",
            "What is sure about the links: each prerequisite says where it comes from.",
            f"- {counts['sourced']} links are the guidance's own: rows of its summary table (threads NPV-3,",
            "  NF-1, NF-2, AS-1, AS-2, MD-1, MD-2 and MD-3, each confirmed by a page that lists the row) or",
            "  sentences of its text naming the criteria a criterion builds on.",
            f"- {counts['partly']} links are partly sourced: the source names the criteria together and the",
            "  order, or the detail, is our reading; each says which part is which.",
            f"- {counts['inferred']} links (threads NPV-1, NPV-2 and NF-3) are inferred from the summary",
            "  table's numbering and wording and are not confirmed; each says so.",
            f"- {counts['ours']} links are our reading, each with its reason: the fractions and geometry",
            "  threads (no copy of their rows or of the year chapters' links to prior knowledge was found),",
            "  the criteria whose row is not known, Reception to Year 1, and key stage 3.",
            "Reception is the early learning goals for mathematics (the points scheme's EYFS, 9 points).",
            "Key stage 3 (Years 7–9) is a selection of statements of its programme of study in one stage, as",
            "the programme of study is not split by year. Its points (Year 7 30, Year 8 33, Year 9 36) are",
            "this project's extension of the points scheme, which stops at Year 6.",
            "Ids R-… and KS3-… are this project's; only the Year 1–6 codes are the DfE's.",
        ]
    )
