# Reference values for the thesis toolkit (issue #21): content validity, normality, common-method bias,
# construct tests and latent moderation, from base R, psych and lavaan.
# Run from the repository root:  Rscript tests/reference/thesis.R
# Data:
#   hs       datasets/holzinger_swineford.csv (x1..x9; visual, textual, speed)
#   bfi      tests/reference/thesis/bfi500.csv: the first 500 complete rows of psychTools::bfi's 25 items
#            (SAPA project, Revelle; written by this script on first run; psychTools 2.2.9)
#   cem      tests/reference/psychometrics/cem_clean.csv + cem_spec.json (the bundled survey after ce.clean())
#   panels   tests/reference/thesis/panel_{cvr,cvi,impact}.csv: hand-made expert panels
# Writes tests/reference/thesis/*.csv (R 4.x, psych 2.2.9, lavaan 0.6.14, semTools 0.5.6)
suppressPackageStartupMessages({library(psych); library(lavaan); library(semTools)})
out <- "tests/reference/thesis"
dir.create(out, showWarnings = FALSE, recursive = TRUE)
wr <- function(df, name) write.csv(df, file.path(out, name), row.names = FALSE)

if (!file.exists(file.path(out, "bfi500.csv"))) {
  b <- psychTools::bfi[, 1:25]
  b <- b[complete.cases(b), ][1:500, ]
  write.csv(b, file.path(out, "bfi500.csv"), row.names = FALSE)
}
bfi <- read.csv(file.path(out, "bfi500.csv"))
bfi_spec <- list(A = paste0("A", 1:5), C = paste0("C", 1:5), E = paste0("E", 1:5), N = paste0("N", 1:5),
                 O = paste0("O", 1:5))
bfi_rev <- c("A1", "C4", "C5", "E1", "E2", "O2", "O5")
bfi_keyed <- bfi
bfi_keyed[bfi_rev] <- 7 - bfi_keyed[bfi_rev]
hs <- read.csv("datasets/holzinger_swineford.csv")[, paste0("x", 1:9)]
hs_spec <- list(visual = c("x1", "x2", "x3"), textual = c("x4", "x5", "x6"), speed = c("x7", "x8", "x9"))
cem <- read.csv("tests/reference/psychometrics/cem_clean.csv")
cem_spec <- lapply(jsonlite::fromJSON("tests/reference/psychometrics/cem_spec.json", simplifyVector = FALSE), unlist)

# ---- 1. content validity (Lawshe CVR with exact binomial critical values; CVI and modified kappa) ----
crit <- do.call(rbind, lapply(5:40, function(N) {
  k <- 0:N
  tail <- 1 - pbinom(k - 1, N, 0.5)          # P(X >= k)
  nc <- min(k[tail < 0.05])
  data.frame(N = N, n_critical = nc, cvr_critical = 2 * nc / N - 1)
}))
wr(crit, "cvr_critical.csv")
cvr_panel <- read.csv(file.path(out, "panel_cvr.csv"))[, -1]
wr(do.call(rbind, lapply(names(cvr_panel), function(i) {
  v <- na.omit(cvr_panel[[i]]); N <- length(v); ne <- sum(v == 3)
  nc <- crit$n_critical[crit$N == N]
  data.frame(item = i, n = N, n_essential = ne, cvr = (ne - N / 2) / (N / 2), n_critical = nc,
             cvr_critical = crit$cvr_critical[crit$N == N], keep = ne >= nc)
})), "cvr_panel.csv")
cvi_panel <- read.csv(file.path(out, "panel_cvi.csv"))[, -1]
cvi_items <- do.call(rbind, lapply(names(cvi_panel), function(i) {
  v <- na.omit(cvi_panel[[i]]); N <- length(v); A <- sum(v >= 3)
  icvi <- A / N; pc <- choose(N, A) * 0.5^N
  data.frame(item = i, n = N, n_relevant = A, i_cvi = icvi, pc = pc, kappa = (icvi - pc) / (1 - pc))
}))
wr(cvi_items, "cvi_panel.csv")
wr(data.frame(s_cvi_ave = mean(cvi_items$i_cvi), s_cvi_ua = mean(cvi_items$i_cvi == 1)), "cvi_scale.csv")
# Polit, Beck & Owen (2007), Table 2: every (N, A) with N = 3..9 experts and A >= N/2 agreeing
wr(do.call(rbind, lapply(3:9, function(N) do.call(rbind, lapply(ceiling(N / 2):N, function(A) {
  icvi <- A / N; pc <- choose(N, A) * 0.5^N
  data.frame(N = N, A = A, i_cvi = icvi, pc = pc, kappa = (icvi - pc) / (1 - pc))
})))), "polit_table.csv")
# the bundled example panel (datasets/expert_panel_{cvr,cvi}.csv)
ex_cvr <- read.csv("datasets/expert_panel_cvr.csv")[, -1]
ex_cvi <- read.csv("datasets/expert_panel_cvi.csv")[, -1]
wr(data.frame(item = names(ex_cvr), cvr = sapply(ex_cvr, function(v) (sum(v == 3) - length(v) / 2) / (length(v) / 2)),
              i_cvi = sapply(ex_cvi, function(v) mean(v >= 3)),
              kappa = sapply(ex_cvi, function(v) { N <- length(v); A <- sum(v >= 3); pc <- choose(N, A) * 0.5^N
                                                  (A / N - pc) / (1 - pc) })), "example_panel.csv")
imp_panel <- read.csv(file.path(out, "panel_impact.csv"))[, -1]
wr(do.call(rbind, lapply(names(imp_panel), function(i) {
  v <- na.omit(imp_panel[[i]]); f <- mean(v >= 4)
  data.frame(item = i, frequency = f, importance = mean(v), impact = f * mean(v))
})), "impact_panel.csv")

# ---- 2. normality: psych::mardia, shapiro.test, Lilliefors KS ----
# nortest::lillie.test's algorithm (nortest is not packaged in Debian): D with estimated mean and SD,
# Dallal-Wilkinson p-value, Stephens' modified statistic where that p exceeds 0.1.
lillie <- function(x) {
  x <- sort(x[complete.cases(x)]); n <- length(x)
  p <- pnorm((x - mean(x)) / sd(x))
  K <- max(max(seq_len(n) / n - p), max(p - (seq_len(n) - 1) / n))
  if (n <= 100) { Kd <- K; nd <- n } else { Kd <- K * ((n / 100)^0.49); nd <- 100 }
  pv <- exp(-7.01256 * Kd^2 * (nd + 2.78019) + 2.99587 * Kd * sqrt(nd + 2.78019) - 0.122119 +
            0.974598 / sqrt(nd) + 1.67997 / nd)
  if (pv > 0.1) {
    KK <- (sqrt(n) - 0.01 + 0.85 / sqrt(n)) * K
    pv <- if (KK <= 0.302) 1 else if (KK <= 0.5) 2.76773 - 19.828315 * KK + 80.709644 * KK^2 - 138.55152 * KK^3 + 81.218052 * KK^4
          else if (KK <= 0.9) -4.901232 + 40.662806 * KK - 97.490286 * KK^2 + 94.029866 * KK^3 - 32.355711 * KK^4
          else if (KK <= 1.31) 6.198765 - 19.558097 * KK + 23.186922 * KK^2 - 12.234627 * KK^3 + 2.423045 * KK^4
          else 0
  }
  c(D = K, p = pv)
}
sets <- list(hs = list(hs, hs_spec), bfi = list(bfi, bfi_spec), cem = list(cem, cem_spec))
mard <- list(); uni <- list()
for (d in names(sets)) {
  x <- sets[[d]][[1]][, unique(unlist(sets[[d]][[2]]))]
  m <- mardia(x, plot = FALSE)
  mard[[d]] <- data.frame(data = d, n = m$n.obs, p = m$n.var, b1p = m$b1p, b2p = m$b2p, skew = m$skew,
                          p_skew = m$p.skew, small_skew = m$small.skew, p_small = m$p.small,
                          kurtosis = m$kurtosis, p_kurt = m$p.kurt)
  uni[[d]] <- do.call(rbind, lapply(names(x), function(i) {
    v <- na.omit(x[[i]]); sw <- shapiro.test(v); ll <- lillie(v)
    data.frame(data = d, item = i, n = length(v), skew = psych::skew(v), kurtosis = psych::kurtosi(v), sw_w = unname(sw$statistic),
               sw_p = sw$p.value, ks_d = unname(ll["D"]), ks_p = unname(ll["p"]))
  }))
}
wr(do.call(rbind, mard), "mardia.csv")
wr(do.call(rbind, uni), "normality_items.csv")

# ---- 3. common-method bias: Harman (principal / fa), full-collinearity VIF, ULMC (lavaan) ----
keyed <- list(hs = list(hs, hs_spec), bfi = list(bfi_keyed, bfi_spec), cem = list(cem, cem_spec))
harm <- list(); vifs <- list(); ulfit <- list(); ulload <- list()
for (d in names(keyed)) {
  x <- keyed[[d]][[1]]; sp <- keyed[[d]][[2]]; items <- unique(unlist(sp))
  pc <- principal(x[, items], nfactors = 1, rotate = "none")
  f1 <- fa(x[, items], nfactors = 1, fm = "ml", rotate = "none")
  harm[[d]] <- data.frame(data = d, harman_pct = 100 * pc$Vaccounted["Proportion Var", 1],
                          harman_efa_pct = 100 * f1$Vaccounted["Proportion Var", 1])
  sc <- as.data.frame(lapply(sp, function(cols) rowMeans(x[, cols, drop = FALSE], na.rm = TRUE)))
  sc <- sc[complete.cases(sc), ]
  vifs[[d]] <- do.call(rbind, lapply(names(sc), function(k) {
    r2 <- summary(lm(reformulate(setdiff(names(sc), k), k), data = sc))$r.squared
    data.frame(data = d, construct = k, vif = 1 / (1 - r2))
  }))
  base <- paste(sapply(names(sp), function(k) paste(k, "=~", paste(sp[[k]], collapse = " + "))), collapse = "\n")
  for (ml in c("equal", "free")) {
    # free method loadings are not identified empirically on HS and on the survey (lavaan: "could not compute
    # standard errors"); ce.ulmc stops with a ModelError there (tests/test_thesis_common_method.py)
    if (d != "bfi" && ml == "free") next
    term <- if (ml == "equal") paste0("lambda_m*", items) else items
    syn <- paste0(base, "\nmethod =~ ", paste(term, collapse = " + "), "\nmethod ~~ ",
                  paste0("0*", names(sp), collapse = " + "), "\n")
    m0 <- cfa(base, x, std.lv = TRUE); m1 <- suppressWarnings(cfa(syn, x, std.lv = TRUE))
    fm <- c("chisq", "df", "pvalue", "cfi", "tli", "rmsea", "srmr")
    ulfit[[paste(d, ml)]] <- rbind(data.frame(data = d, method_loadings = ml, model = "without", as.list(fitMeasures(m0, fm))),
                                   data.frame(data = d, method_loadings = ml, model = "with", as.list(fitMeasures(m1, fm))))
    s1 <- standardizedSolution(m1); s1 <- s1[s1$op == "=~", ]
    ulload[[paste(d, ml)]] <- data.frame(data = d, method_loadings = ml, lhs = s1$lhs, rhs = s1$rhs, std_all = s1$est.std)
  }
}
wr(do.call(rbind, harm), "harman.csv")
wr(do.call(rbind, vifs), "full_collinearity_vif.csv")
wr(do.call(rbind, ulfit), "ulmc_fit.csv")
wr(do.call(rbind, ulload), "ulmc_loadings.csv")

# ---- 4. construct tests: t.test against the midpoint, friedman.test, pairwise Wilcoxon, cor.test ----
tt <- list(); fr <- list(); pw <- list(); cr <- list()
mids <- c(bfi = 3.5, cem = 4)
fried_sets <- list(bfi = names(bfi_spec), cem = c("functional", "mechanic", "humanic"))
for (d in c("bfi", "cem")) {
  x <- keyed[[d]][[1]]; sp <- keyed[[d]][[2]]
  sc <- as.data.frame(lapply(sp, function(cols) rowMeans(x[, cols, drop = FALSE], na.rm = TRUE)))
  sc[] <- lapply(sc, function(v) ifelse(is.nan(v), NA, v))
  tt[[d]] <- do.call(rbind, lapply(names(sc), function(k) {
    v <- na.omit(sc[[k]]); r <- t.test(v, mu = mids[[d]])
    data.frame(data = d, construct = k, n = length(v), mean = mean(v), sd = sd(v), t = unname(r$statistic),
               df = unname(r$parameter), p = r$p.value, ci_lower = r$conf.int[1], ci_upper = r$conf.int[2],
               cohen_d = (mean(v) - mids[[d]]) / sd(v))
  }))
  f <- as.matrix(sc[complete.cases(sc[, fried_sets[[d]]]), fried_sets[[d]]])
  r <- friedman.test(f)
  fr[[d]] <- data.frame(data = d, chisq = unname(r$statistic), df = unname(r$parameter), p = r$p.value,
                        n = nrow(f), kendall_w = unname(r$statistic) / (nrow(f) * (ncol(f) - 1)))
  long <- data.frame(score = as.vector(f), g = rep(colnames(f), each = nrow(f)))
  # one pair at a time, as pairwise.wilcox.test(paired = TRUE) does internally, to keep V and raw p
  pairs <- combn(colnames(f), 2)
  raw <- apply(pairs, 2, function(ab) {
    w <- suppressWarnings(wilcox.test(f[, ab[1]], f[, ab[2]], paired = TRUE))
    c(V = unname(w$statistic), p = w$p.value)
  })
  pw[[d]] <- data.frame(data = d, a = pairs[1, ], b = pairs[2, ], V = raw["V", ], p = raw["p", ],
                        p_holm = p.adjust(raw["p", ], "holm"))
  ph <- suppressWarnings(pairwise.wilcox.test(long$score, long$g, paired = TRUE, p.adjust.method = "holm"))
  stopifnot(abs(ph$p.value[pairs[2, 1], pairs[1, 1]] - pw[[d]]$p_holm[1]) < 1e-12)
  k <- names(sc)
  cr[[d]] <- do.call(rbind, combn(k, 2, function(ab) {
    r <- cor.test(sc[[ab[1]]], sc[[ab[2]]])
    data.frame(data = d, a = ab[1], b = ab[2], r = unname(r$estimate), p = r$p.value)
  }, simplify = FALSE))
}
wr(do.call(rbind, tt), "t_test.csv")
wr(do.call(rbind, fr), "friedman.csv")
wr(do.call(rbind, pw), "wilcoxon_pairs.csv")
wr(do.call(rbind, cr), "cor_test.csv")

# ---- 5. latent moderation: semTools::indProd (double-mean centring), lavaan, probe2WayMC, Johnson-Neyman ----
mod_syntax <- function(xi, zi, yi, pairs) {
  prods <- paste(pairs[, 1], pairs[, 2], sep = ".")
  s <- c(paste("X =~", paste(xi, collapse = " + ")), paste("Z =~", paste(zi, collapse = " + ")),
         paste("Y =~", paste(yi, collapse = " + ")), paste("XZ =~", paste(prods, collapse = " + ")),
         "Y ~ b1*X + b2*Z + b3*XZ")
  for (i in seq_len(nrow(pairs))) for (j in seq_len(nrow(pairs))) if (i < j && length(intersect(pairs[i, ], pairs[j, ])) > 0)
    s <- c(s, paste(prods[i], "~~", prods[j]))
  paste(s, collapse = "\n")
}
mods <- list(hs = list(hs, hs_spec, "visual", "textual", "speed", TRUE),
             hs_all = list(hs, hs_spec, "visual", "textual", "speed", FALSE),
             bfi = list(bfi_keyed, bfi_spec, "C", "N", "O", TRUE),
             cem = list(cem, cem_spec, "functional", "humanic", "satisfaction", TRUE),
             hs_mlr = list(hs, hs_spec, "visual", "textual", "speed", TRUE, "MLR"))
mp <- list(); mf <- list(); ms <- list(); mj <- list()
for (d in names(mods)) {
  m <- mods[[d]]; sp <- m[[2]]; xi <- sp[[m[[3]]]]; zi <- sp[[m[[4]]]]; yi <- sp[[m[[5]]]]; match <- m[[6]]
  dat <- indProd(m[[1]], var1 = xi, var2 = zi, match = match, meanC = TRUE, residualC = FALSE, doubleMC = TRUE)
  pairs <- if (match) cbind(xi, zi) else as.matrix(expand.grid(zi, xi, stringsAsFactors = FALSE)[, 2:1])
  f <- sem(mod_syntax(xi, zi, yi, pairs), dat, estimator = if (length(m) > 6) m[[7]] else "ML")
  pe <- parameterEstimates(f); st <- standardizedSolution(f)
  r <- pe[pe$op == "~", ]
  mp[[d]] <- data.frame(data = d, label = r$label, est = r$est, se = r$se, z = r$z, pvalue = r$pvalue,
                        std_all = st$est.std[st$op == "~"])
  mf[[d]] <- data.frame(data = d, as.list(fitMeasures(f, c("chisq", "df", "cfi", "rmsea", "srmr"))))
  sdz <- sqrt(pe$est[pe$lhs == "Z" & pe$op == "~~" & pe$rhs == "Z"])
  pr <- probe2WayMC(f, nameX = c("X", "Z", "XZ"), nameY = "Y", modVar = "Z", valProbe = c(-1, 0, 1) * sdz)
  ss <- pr$SimpleSlope
  ms[[d]] <- data.frame(data = d, sd = c(-1, 0, 1), moderator = ss[, 1], slope = ss$est, se = ss$se, z = ss$z,
                        p = ss$pvalue)
  V <- vcov(f)[c("b1", "b3"), c("b1", "b3")]; b <- coef(f)[c("b1", "b3")]; c2 <- qnorm(.975)^2
  a <- b[2]^2 - c2 * V[2, 2]; bb <- 2 * (b[1] * b[2] - c2 * V[1, 2]); c0 <- b[1]^2 - c2 * V[1, 1]
  disc <- bb^2 - 4 * a * c0
  roots <- if (disc >= 0) sort(c((-bb - sqrt(disc)) / (2 * a), (-bb + sqrt(disc)) / (2 * a))) else c(NA, NA)
  mj[[d]] <- data.frame(data = d, jn_lower = roots[1], jn_upper = roots[2], sd_z = sdz)
}
wr(do.call(rbind, mp), "moderation_paths.csv")
wr(do.call(rbind, mf), "moderation_fit.csv")
wr(do.call(rbind, ms), "moderation_slopes.csv")
wr(do.call(rbind, mj), "moderation_jn.csv")
