package dev.otimo.security;

import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.Query;

import java.util.List;

public interface ApiKeyRepository extends JpaRepository<ApiKey, Long> {

    boolean existsByName(String name);

    List<ApiKey> findAllByOrderByIdAsc();

    @Query("select k.keyHash from ApiKey k")
    List<String> allHashes();
}
