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
