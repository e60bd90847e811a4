// Package estimate estimates how many victims of trafficking in persons no
// agency has identified — the "dark figure" — from the overlaps between the
// lists that different organisations keep of the victims they met. The method
// is multiple systems estimation (MSE): a Poisson log-linear model of the
// number of people seen on each combination of lists, extrapolated to the one
// combination nobody can observe, "on no list at all".
//
// Haven records which organisations encountered each identified person, so it
// can produce these tables without anyone re-keying data. CEDAW General
// Recommendation No. 38 (2020), §109, asks States to collect and publish
// disaggregated data on trafficking; an estimate of the victims not yet found
// tells a National Referral Mechanism how much of the problem its referrals
// cover. UNODC has used MSE with national partners to estimate total numbers
// of victims, found or not, in its work towards SDG indicator 16.2.2
// ("number of victims of human trafficking per 100,000 population"); this
// package lets a country produce the same kind of estimate from its own
// records.
//
// The estimator follows the R package SparseMSE 2.0.1 (Chan, Silverman and
// Vincent 2019, arXiv:1902.05156) function by function, so that an analyst
// can check Haven's figures in R: [Estimate] fits the main-effects model or
// SparseMSE's stepwise model, with its Poisson p-values, its treatment of
// pairs of lists that share nobody and its linear-programming check that a
// model's estimate exists and is identifiable; [Bootstrap] gives SparseMSE's
// nonparametric BCa interval. docs/ESTIMATION.md describes the method exactly
// and says how to read (and not read) a dark-figure estimate.
package estimate
