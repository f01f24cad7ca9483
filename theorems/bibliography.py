"""The papers the theorem modules encode, each defined once.

A theorem module cites a result with ``PAPER.theorem("Theorem 3.4")``. Keeping the references
here means a paper shared by several modules (the Handbook, Wu, Ma & E) has one title, one
author list and one arXiv id. This module defines no claims.
"""

from __future__ import annotations

from proofs_checks import Paper

# --- first-order methods ------------------------------------------------------------------------

HANDBOOK = Paper(
    title="Handbook of Convergence Theorems for (Stochastic) Gradient Methods",
    authors="Guillaume Garrigos, Robert M. Gower",
    year=2023,
    arxiv="2301.11235v1",
)
POLYAK = Paper(
    title="Some methods of speeding up the convergence of iteration methods",
    authors="Boris T. Polyak",
    year=1964,
    venue="USSR Computational Mathematics and Mathematical Physics 4(5)",
)
LRP = Paper(
    title="Analysis and Design of Optimization Algorithms via Integral Quadratic Constraints",
    authors="Laurent Lessard, Benjamin Recht, Andrew Packard",
    year=2016,
    arxiv="1408.3595",
    venue="SIAM Journal on Optimization 26(1)",
)
PAN = Paper(
    title="Accelerated Convergence of Stochastic Heavy Ball Method under Anisotropic Gradient "
    "Noise",
    authors="Rui Pan, Yuxing Liu, Xiaoyu Wang, Tong Zhang",
    year=2023,
    arxiv="2312.14567",
    venue="ICLR 2024",
)
KIDAMBI = Paper(
    title="On the insufficiency of existing momentum schemes for Stochastic Optimization",
    authors="Rahul Kidambi, Praneeth Netrapalli, Prateek Jain, Sham M. Kakade",
    year=2018,
    arxiv="1803.05591",
    venue="ICLR 2018",
)
LI = Paper(
    title="Risk Bounds of Accelerated SGD for Overparameterized Linear Regression",
    authors="Xuheng Li, Yihe Deng, Jingfeng Wu, Dongruo Zhou, Quanquan Gu",
    year=2023,
    arxiv="2311.14222",
    venue="ICLR 2024",
)
WANG = Paper(
    title="The Marginal Value of Momentum for Small Learning Rate SGD",
    authors="Runzhe Wang, Sadhika Malladi, Tianhao Wang, Kaifeng Lyu, Zhiyuan Li",
    year=2023,
    arxiv="2307.15196",
    venue="ICLR 2024",
)
LIU_ZHOU = Paper(
    title="Revisiting the Last-Iterate Convergence of Stochastic Gradient Methods",
    authors="Zijian Liu, Zhengyuan Zhou",
    year=2023,
    arxiv="2312.08531",
    venue="ICLR 2024",
)
HARVEY = Paper(
    title="Tight analyses for non-smooth stochastic gradient descent",
    authors="Nicholas J. A. Harvey, Christopher Liaw, Yaniv Plan, Sikander Randhawa",
    year=2019,
    arxiv="1812.05217v1",
    venue="COLT 2019",
)

# --- linear stability of SGD --------------------------------------------------------------------

WU_SU = Paper(
    title="The Implicit Regularization of Dynamical Stability in Stochastic Gradient Descent",
    authors="Lei Wu, Weijie J. Su",
    year=2023,
    arxiv="2305.17490",
    venue="ICML 2023",
)
WU_MA_E = Paper(
    title=(
        "How SGD Selects the Global Minima in Over-parameterized Learning: "
        "A Dynamical Stability Perspective"
    ),
    authors="Lei Wu, Chao Ma, Weinan E",
    year=2018,
    venue="NeurIPS 2018",
)
GRANZIOL = Paper(
    title=(
        "Learning Rates as a Function of Batch Size: A Random Matrix Theory Approach to "
        "Neural Network Training"
    ),
    authors="Diego Granziol, Stefan Zohren, Stephen Roberts",
    year=2022,
    arxiv="2006.09092",
    venue="JMLR",
)

# --- differential privacy -----------------------------------------------------------------------

MIRONOV = Paper(
    title="Renyi Differential Privacy",
    authors="Ilya Mironov",
    year=2017,
    arxiv="1702.07476",
    venue="CSF 2017",
)
MTZ = Paper(
    title="Renyi Differential Privacy of the Sampled Gaussian Mechanism",
    authors="Ilya Mironov, Kunal Talwar, Li Zhang",
    year=2019,
    arxiv="1908.10530",
)
BST14 = Paper(
    title="Private Empirical Risk Minimization: Efficient Algorithms and Tight Error Bounds",
    authors="Raef Bassily, Adam Smith, Abhradeep Thakurta",
    year=2014,
    arxiv="1405.7085",
    venue="FOCS 2014",
)
KOLOSKOVA = Paper(
    title="Revisiting Gradient Clipping: Stochastic Bias and Tight Convergence Guarantees",
    authors="Anastasia Koloskova, Hadrien Hendrikx, Sebastian U. Stich",
    year=2023,
    arxiv="2305.01588",
    venue="ICML 2023",
)
CHEN_WU_HONG = Paper(
    title="Understanding Gradient Clipping in Private SGD: A Geometric Perspective",
    authors="Xiangyi Chen, Zhiwei Steven Wu, Mingyi Hong",
    year=2020,
    arxiv="2006.15429",
    venue="NeurIPS 2020",
)
DICESGD = Paper(
    title="Differentially Private SGD Without Clipping Bias: An Error-Feedback Approach",
    authors="Xinwei Zhang, Zhiqi Bu, Zhiwei Steven Wu, Mingyi Hong",
    year=2024,
    arxiv="2311.14632",
    venue="ICLR 2024",
)
CCDPGST = Paper(
    title="Correlated Noise Provably Beats Independent Noise for Differentially Private Learning",
    authors=(
        "Christopher A. Choquette-Choo, Krishnamurthy Dvijotham, Krishna Pillutla, "
        "Arun Ganesh, Thomas Steinke, Abhradeep Thakurta"
    ),
    year=2023,
    arxiv="2310.06771",
    venue="ICLR 2024",
)
SUN = Paper(
    title=(
        "The Importance of Feature Preprocessing for Differentially Private Linear Optimization"
    ),
    authors="Ziteng Sun, Ananda Theertha Suresh, Aditya Krishna Menon",
    year=2023,
    arxiv="2307.11106",
    venue="ICLR 2024",
)

# --- optimal transport --------------------------------------------------------------------------

PEYRE_CUTURI = Paper(
    title="Computational Optimal Transport",
    authors="Gabriel Peyre, Marco Cuturi",
    year=2019,
    arxiv="1803.00567",
    venue="Foundations and Trends in Machine Learning",
)
SNS_PAPER = Paper(
    title="Accelerating Sinkhorn Algorithm with Sparse Newton Iterations",
    authors=(
        "Xun Tang, Michael Shavlovsky, Holakou Rahmanian, Elisa Tardini, "
        "Kiran Koshy Thekumparampil, Tesi Xiao, Lexing Ying"
    ),
    year=2024,
    arxiv="2401.12253",
    venue="ICLR 2024",
)

# --- more first-order methods: shuffling, large steps, clipping, Lion, EF21, DoG, Polyak --------

CHA_LEE_YUN = Paper(
    title="Tighter Lower Bounds for Shuffling SGD: Random Permutations and Beyond",
    authors="Jaeyoung Cha, Jaewook Lee, Chulhee Yun",
    year=2023,
    arxiv="2303.07160",
    venue="ICML 2023",
)
TYURIN = Paper(
    title="From Logistic Regression to the Perceptron Algorithm: Exploring Gradient Descent with "
    "Large Step Sizes",
    authors="Alexander Tyurin",
    year=2024,
    arxiv="2412.08424",
    venue="AAAI 2025",
)
SCHAIPP = Paper(
    title="SGD with Clipping is Secretly Estimating the Median Gradient",
    authors="Fabian Schaipp, Guillaume Garrigos, Umut Simsekli, Robert Gower",
    year=2024,
    arxiv="2402.12828",
)
LION = Paper(
    title="Lion Secretly Solves Constrained Optimization: As Lyapunov Predicts",
    authors="Lizhang Chen, Bo Liu, Kaizhao Liang, Qiang Liu",
    year=2023,
    arxiv="2310.05898",
    venue="ICLR 2024",
)
EF21_RELOADED = Paper(
    title="Error Feedback Reloaded: From Quadratic to Arithmetic Mean of Smoothness Constants",
    authors="Peter Richtarik, Elnur Gasanov, Konstantin Burlachenko",
    year=2024,
    arxiv="2402.10774",
    venue="ICLR 2024",
)
DOG = Paper(
    title="DoG is SGD's Best Friend: A Parameter-Free Dynamic Step Size Schedule",
    authors="Maor Ivgi, Oliver Hinder, Yair Carmon",
    year=2023,
    arxiv="2302.12022",
    venue="ICML 2023",
)
POLYAK_1987 = Paper(
    title="Introduction to Optimization",
    authors="Boris T. Polyak",
    year=1987,
    venue="Optimization Software, New York",
)
SPS = Paper(
    title="Stochastic Polyak Step-size for SGD: An Adaptive Learning Rate for Fast Convergence",
    authors="Nicolas Loizou, Sharan Vaswani, Issam Laradji, Simon Lacoste-Julien",
    year=2021,
    arxiv="2002.10542",
    venue="AISTATS 2021",
)
ZHANG_CUTKOSKY = Paper(
    title="Random Scaling and Momentum for Non-smooth Non-convex Optimization",
    authors="Qinzi Zhang, Ashok Cutkosky",
    year=2024,
    arxiv="2405.09742",
    venue="ICML 2024",
)
BORDELON_PEHLEVAN = Paper(
    title="Learning Curves for SGD on Structured Features",
    authors="Blake Bordelon, Cengiz Pehlevan",
    year=2022,
    arxiv="2106.02713",
    venue="ICLR 2022",
)
MOHTASHAMI = Paper(
    title="Special Properties of Gradient Descent with Large Learning Rates",
    authors="Amirkeivan Mohtashami, Martin Jaggi, Sebastian U. Stich",
    year=2023,
    arxiv="2205.15142",
    venue="ICML 2023",
)

# --- matrix sensing, fixed-point and Newton-type methods ----------------------------------------

XIONG_DING_DU = Paper(
    title="How Over-Parameterization Slows Down Gradient Descent in Matrix Sensing: The Curses "
    "of Symmetry and Initialization",
    authors="Nuoya Xiong, Lijun Ding, Simon S. Du",
    year=2023,
    arxiv="2310.01769",
    venue="ICLR 2024",
)
SCALEDGD_LAMBDA = Paper(
    title="The Power of Preconditioning in Overparameterized Low-Rank Matrix Sensing",
    authors="Xingyu Xu, Yandi Shen, Yuejie Chi, Cong Ma",
    year=2023,
    arxiv="2302.01186",
    venue="ICML 2023",
)
LIEDER = Paper(
    title="On the convergence rate of the Halpern-iteration",
    authors="Felix Lieder",
    year=2021,
    venue="Optimization Letters 15",
)
HONG_NA = Paper(
    title="Constrained Optimization via Exact Augmented Lagrangian and Randomized Iterative "
    "Sketching",
    authors="Ilgee Hong, Sen Na, Michael W. Mahoney, Mladen Kolar",
    year=2023,
    arxiv="2305.18379",
    venue="ICML 2023",
)

# --- performance estimation (worst cases over a function class) ------------------------------

DRORI_TEBOULLE = Paper(
    title="Performance of first-order methods for smooth convex minimization: a novel approach",
    authors="Yoel Drori, Marc Teboulle",
    year=2014,
    arxiv="1206.3209",
    venue="Mathematical Programming 145",
)
THG_SMOOTH = Paper(
    title="Smooth strongly convex interpolation and exact worst-case performance of first-order "
    "methods",
    authors="Adrien B. Taylor, Julien M. Hendrickx, François Glineur",
    year=2017,
    arxiv="1502.05666",
    venue="Mathematical Programming 161",
)
THG_COMPOSITE = Paper(
    title="Exact worst-case convergence rates of the proximal gradient method for composite "
    "convex minimization",
    authors="Adrien B. Taylor, Julien M. Hendrickx, François Glineur",
    year=2018,
    arxiv="1705.04398",
    venue="Journal of Optimization Theory and Applications 178",
)
NESTEROV_1983 = Paper(
    title="A method for solving the convex programming problem with convergence rate O(1/k^2)",
    authors="Yurii Nesterov",
    year=1983,
    venue="Soviet Mathematics Doklady 27",
)

# --- learning theory and statistics -------------------------------------------------------------

JACOT = Paper(
    title="Neural Tangent Kernel: Convergence and Generalization in Neural Networks",
    authors="Arthur Jacot, Franck Gabriel, Clement Hongler",
    year=2018,
    arxiv="1806.07572",
    venue="NeurIPS 2018",
)
LEE_LINEAR = Paper(
    title="Wide Neural Networks of Any Depth Evolve as Linear Models Under Gradient Descent",
    authors=(
        "Jaehoon Lee, Lechao Xiao, Samuel S. Schoenholz, Yasaman Bahri, Roman Novak, "
        "Jascha Sohl-Dickstein, Jeffrey Pennington"
    ),
    year=2019,
    arxiv="1902.06720",
    venue="NeurIPS 2019",
)
KREISLER = Paper(
    title=(
        "Gradient Descent Monotonically Decreases the Sharpness of Gradient Flow Solutions in "
        "Scalar Networks and Beyond"
    ),
    authors="Itai Kreisler, Mor Shpigel Nacson, Daniel Soudry, Yair Carmon",
    year=2023,
    arxiv="2305.13064",
    venue="ICML 2023",
)
NOUY_MICHEL = Paper(
    title=(
        "Weighted least-squares approximation with determinantal point processes and "
        "generalized volume sampling"
    ),
    authors="Anthony Nouy, Bertrand Michel",
    year=2023,
    arxiv="2312.14057",
)
NGUYEN_HO = Paper(
    title="Sliced Wasserstein Estimation with Control Variates",
    authors="Khai Nguyen, Nhat Ho",
    year=2023,
    arxiv="2305.00402",
    venue="ICLR 2024",
)
SHEENA = Paper(
    title=(
        "MLE convergence speed to information projection of exponential family: Criterion for "
        "model dimension and sample size"
    ),
    authors="Yo Sheena",
    year=2021,
    arxiv="2105.08947",
)
DFHPRR = Paper(
    title="Preserving Statistical Validity in Adaptive Data Analysis",
    authors=(
        "Cynthia Dwork, Vitaly Feldman, Moritz Hardt, Toniann Pitassi, Omer Reingold, Aaron Roth"
    ),
    year=2015,
    arxiv="1411.2664",
    venue="STOC 2015",
)
BNSSSU = Paper(
    title="Algorithmic Stability for Adaptive Data Analysis",
    authors=(
        "Raef Bassily, Kobbi Nissim, Adam Smith, Thomas Steinke, Uri Stemmer, Jonathan Ullman"
    ),
    year=2016,
    arxiv="1511.02513",
    venue="STOC 2016",
)
ABADI = Paper(
    title="Deep Learning with Differential Privacy",
    authors=(
        "Martin Abadi, Andy Chu, Ian Goodfellow, H. Brendan McMahan, Ilya Mironov, Kunal Talwar, "
        "Li Zhang"
    ),
    year=2016,
    arxiv="1607.00133",
    venue="CCS 2016",
)
MULAYOFF = Paper(
    title="Exact Mean Square Linear Stability Analysis for SGD",
    authors="Rotem Mulayoff, Tomer Michaeli",
    year=2024,
    arxiv="2306.07850",
    venue="COLT 2024",
)
WEED = Paper(
    title="An Explicit Analysis of the Entropic Penalty in Linear Programming",
    authors="Jonathan Weed",
    year=2018,
    arxiv="1806.01879",
    venue="COLT 2018",
)
GHADIMI = Paper(
    title="Global convergence of the Heavy-ball method for convex optimization",
    authors="Euhanna Ghadimi, Hamid Reza Feyzmahdavian, Mikael Johansson",
    year=2015,
    arxiv="1412.7457",
    venue="European Control Conference (ECC) 2015",
)
GOUJAUD = Paper(
    title="Provable non-accelerations of the heavy-ball method",
    authors="Baptiste Goujaud, Adrien Taylor, Aymeric Dieuleveut",
    year=2023,
    arxiv="2307.11291",
    venue="Mathematical Programming (2025)",
)
